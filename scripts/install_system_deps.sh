#!/usr/bin/env bash
# System packages the template tests need: LibreOffice Calc (headless xlsx -> PDF/xlsx conversion,
# proves a filled workbook opens without repair) and poppler-utils (pdfinfo, pdftoppm, pdftotext).
# Idempotent: does nothing when both are already installed. Runs as root (CI) or through sudo.
set -euo pipefail

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v pdfinfo >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
    echo "install_system_deps: soffice and poppler-utils already installed, nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_system_deps: need root (or sudo) to install: ${need[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install_system_deps: installing ${need[*]}"
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${need[@]}"
command -v soffice >/dev/null && command -v pdfinfo >/dev/null && command -v pdftoppm >/dev/null
echo "install_system_deps: done ($(soffice --version 2>/dev/null | head -1))"
