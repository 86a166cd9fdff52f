#!/usr/bin/env bash
# make demo: synthetic 2024 year for förvaltning 191 → landing folder → ledger_month_end on
# Airflow (SQLite metadata DB) → SQLite warehouse → reports in out/191/202413/.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR=${1:-data/demo}
export BOKSLUT_DATA_DIR=$PWD/$DEMO_DIR
export BOKSLUT_LANDING_DIR=$BOKSLUT_DATA_DIR/landing
export BOKSLUT_OUTBOX_DIR=${BOKSLUT_OUTBOX_DIR:-$PWD/out}
export AIRFLOW_HOME=${AIRFLOW_HOME:-$PWD/.airflow}
export AIRFLOW__CORE__DAGS_FOLDER=$PWD/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM=4
# Dataset lineage (docs/deployment.md, "Dataset lineage (OpenLineage)"): the run's OpenLineage
# events, one JSON object per line, unless the caller configured a transport of their own.
if [ -z "${AIRFLOW__OPENLINEAGE__TRANSPORT+set}" ]; then
  OPENLINEAGE_EVENTS=$AIRFLOW_HOME/openlineage.jsonl
  export AIRFLOW__OPENLINEAGE__TRANSPORT="{\"type\": \"file\", \"log_file_path\": \"$OPENLINEAGE_EVENTS\", \"append\": true}"
fi
export AIRFLOW__OPENLINEAGE__NAMESPACE=${AIRFLOW__OPENLINEAGE__NAMESPACE:-bokslut}

echo "==> Syntetiska exportfiler för 2024 till $BOKSLUT_LANDING_DIR"
rm -rf "$BOKSLUT_LANDING_DIR"
bokslut demo-data --year 2024 -o "$BOKSLUT_LANDING_DIR"

echo "==> Airflow-metadatabas (SQLite i $AIRFLOW_HOME)"
mkdir -p "$AIRFLOW_HOME"
airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/db-migrate.log"; exit 1; }

[ -z "${OPENLINEAGE_EVENTS:-}" ] || rm -f "$OPENLINEAGE_EVENTS"  # this run's events only
echo "==> Kör ledger_month_end för period 202413 (loggar i $AIRFLOW_HOME/dags-test.log)"
if ! airflow dags test ledger_month_end 2025-01-15 -c '{"period": "202413", "forvaltning": "191"}' \
    > "$AIRFLOW_HOME/dags-test.log" 2>&1; then
  tail -40 "$AIRFLOW_HOME/dags-test.log"
  echo "Körningen misslyckades; hela loggen: $AIRFLOW_HOME/dags-test.log" >&2
  exit 1
fi
echo "    körningen: $(grep -o 'DagRun Finished: dag_id=ledger_month_end.*state=[a-z]*' "$AIRFLOW_HOME/dags-test.log" | grep -o 'state=[a-z]*' | tail -1)"

echo "==> Rapporter i $BOKSLUT_OUTBOX_DIR/191/202413:"
ls -1 "$BOKSLUT_OUTBOX_DIR/191/202413"
if [ -n "${OPENLINEAGE_EVENTS:-}" ] && [ -s "$OPENLINEAGE_EVENTS" ]; then
  echo "==> $(wc -l < "$OPENLINEAGE_EVENTS") OpenLineage-händelser (indata, lager, levererade filer) i $OPENLINEAGE_EVENTS"
fi
echo "Klart. Öppna huvudboksrapporter_191_202413.xlsx, eller jämför TSV-filerna med tests/reference/2024/."
