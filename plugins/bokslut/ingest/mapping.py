"""Header mappings: a YAML file per site that renames its headers to the canonical ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bokslut.ingest.errors import InputFileError
from bokslut.ingest.formats import SourceFormat
from bokslut.settings import MAPPINGS_DIR
from bokslut.textsafety import escape_controls


def _key(header: str) -> str:
    return header.strip().casefold()


@dataclass(frozen=True)
class HeaderMapping:
    name: str
    source: str
    aliases: dict[str, tuple[str, ...]]  # canonical header -> accepted headers

    @classmethod
    def load(cls, path: Path) -> "HeaderMapping":
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputFileError(f"Mappningsfilen {path} finns inte.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"Mappningsfilen {path} kan inte läsas ({type(exc).__name__}).") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (rad {mark.line + 1}, kolumn {mark.column + 1})" if mark is not None else ""
            raise InputFileError(f"Mappningsfilen {path.name} är inte giltig YAML{where}; rätta filen.") from None
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise InputFileError(f"Mappningsfilen {path.name} saknar avsnittet 'columns'.")
        aliases = {
            canonical: tuple(str(a) for a in (accepted if isinstance(accepted, list) else [accepted]))
            for canonical, accepted in data["columns"].items()
        }
        return cls(name=path.name, source=str(data.get("source", "")), aliases=aliases)

    def resolve(self, headers: list[str], fmt: SourceFormat) -> dict[str, int]:
        """Canonical header -> position in the file; missing required columns fail the file."""
        positions: dict[str, list[int]] = {}
        for i, h in enumerate(headers):
            positions.setdefault(_key(h), []).append(i)
        found: dict[str, int] = {}
        for fld in fmt.fields:
            accepted = dict.fromkeys(_key(a) for a in self.aliases.get(fld.header, (fld.header,)))
            hits = sorted(i for key in accepted for i in positions.get(key, ()))
            if len(hits) > 1:
                # two columns for one field: which one is the right one cannot be known, so
                # neither is read (never silently the first or the last)
                shown = " och ".join(f"'{escape_controls(headers[i].strip())}' (kolumn {i + 1})" for i in hits)
                raise InputFileError(
                    f"Rubrikraden (rad 1) har {len(hits)} kolumner för {fld.header}: {shown}. "
                    "Ta bort den som inte ska läsas in och läs in filen igen. "
                    f"(Mappning: {self.name})"
                )
            if hits:
                found[fld.header] = hits[0]
        fields_by_column: dict[int, list[str]] = {}
        for header, position in found.items():
            fields_by_column.setdefault(position, []).append(header)
        for position, fields in sorted(fields_by_column.items()):
            if len(fields) > 1:  # one column read as two fields: a mapping error, never a guess
                raise InputFileError(
                    f"Mappningen {self.name} läser kolumnen '{escape_controls(headers[position].strip())}' "
                    f"(kolumn {position + 1}) som {' och '.join(fields)}; en kolumn kan bara vara ett fält. "
                    "Rätta mappningsfilen.")
        missing = [f.header for f in fmt.fields if f.required and f.header not in found]
        if missing:
            if fmt.personal_data:  # a file without header has a row of personal data on line 1: never quote it
                known = {_key(a) for f in fmt.fields for a in self.aliases.get(f.header, (f.header,))}
                shown = [h.strip() for h in headers if _key(h) in known]
                unknown = len(headers) - len(shown)
                listed = ", ".join(shown) or "inga kända rubriker"
                columns = f"Kända kolumner i filen: {listed}" + (
                    f"; {unknown} okända visas inte (rad 1 kan vara en datarad utan rubrik)" if unknown else "")
            else:  # line 1 of a file without header is a row: mask anything like a personnummer
                from bokslut.textsafety import mask_personnummer

                columns = "Kolumner i filen: " + mask_personnummer(", ".join(escape_controls(h.strip()) for h in headers))
            raise InputFileError(
                f"Obligatorisk kolumn saknas: {', '.join(missing)}. {columns}. (Mappning: {self.name})"
            )
        return found


def load_mapping(fmt: SourceFormat, path: Path | None = None) -> HeaderMapping:
    mapping = HeaderMapping.load(path or MAPPINGS_DIR / fmt.default_mapping)
    if mapping.source and mapping.source != fmt.name:
        raise InputFileError(
            f"Mappningen {mapping.name} gäller källan '{mapping.source}', inte '{fmt.name}'."
        )
    unknown = sorted(set(mapping.aliases) - {f.header for f in fmt.fields})
    if unknown:  # a misspelt field would silently fall back to the default header
        raise InputFileError(
            f"Mappningen {mapping.name} nämner fält som {fmt.label} inte har: {', '.join(map(str, unknown))}. "
            f"Fälten är: {', '.join(f.header for f in fmt.fields)}.")
    return mapping
