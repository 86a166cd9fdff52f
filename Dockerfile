# syntax=docker/dockerfile:1
#
# bokslut Airflow image: the official Apache Airflow image plus the bokslut package, its pinned
# dependencies (with the Celery and FAB providers) and the project's dags/, plugins/, include/ and
# expectations/. Not include/manual and include/reference: finance edits those, so .dockerignore
# keeps them out and docker-compose.yaml mounts them from the host (docs/deployment.md, section 6).
#
# No image registry or Docker engine is reachable where the project is tested: `make image-check`
# installs this file's requirement set into a scratch venv and runs the same `pip check` as step 3.
#
# The tag below must equal the apache-airflow pin in pyproject.toml and the Python of
# `requires-python`; tests/deploy/test_compose.py checks both.
FROM apache/airflow:3.3.2-python3.11

# strict: fail the build when `pip check` finds a conflict between our constraints and a package
#         preinstalled in the base image (default);
# warn:   print the conflicts and continue (only after reviewing them; docs/deployment.md).
ARG PIP_CHECK=strict

LABEL org.opencontainers.image.title="bokslut-airflow" \
      org.opencontainers.image.description="Airflow 3.3.2 with the bokslut closing pipeline"

# The project lives in /opt/bokslut, NOT in /opt/airflow:
# * Airflow's plugins folder ($AIRFLOW_HOME/plugins = /opt/airflow/plugins) stays empty. Airflow
#   executes every *.py file in its plugins folder as a top-level module looking for AirflowPlugin
#   classes; the bokslut package is a normal package, not an Airflow plugin.
# * bokslut.settings derives PROJECT_ROOT (include/, expectations/) from the location of its own
#   source file, and include/ is not package data. A copy in site-packages would therefore look
#   for include/ in the wrong place, so PYTHONPATH puts the source tree first: `import bokslut`
#   resolves to /opt/bokslut/plugins/bokslut and PROJECT_ROOT to /opt/bokslut.
ENV BOKSLUT_HOME=/opt/bokslut \
    PYTHONPATH=/opt/bokslut/plugins \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/bokslut/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False

USER root
RUN mkdir -p /opt/bokslut && chown airflow:0 /opt/bokslut

# Install as the airflow user (into the image's Python environment), as the Airflow docs require.
USER airflow
WORKDIR /opt/bokslut

# 1) Dependencies only, in their own layer: a change to the code does not reinstall ~160 packages.
#    A one-line stub package stands in for plugins/bokslut so that `pip install .` can build.
COPY --chown=airflow:0 pyproject.toml README.md constraints.txt ./
RUN mkdir -p plugins/bokslut \
    && echo '"""placeholder replaced in the next layer"""' > plugins/bokslut/__init__.py \
    && pip install --no-cache-dir --constraint constraints.txt . \
    && rm -rf build plugins

# 2) The project itself: the package (also gives the `bokslut` command), then the data files.
COPY --chown=airflow:0 plugins/ plugins/
RUN pip install --no-cache-dir --no-deps --force-reinstall --constraint constraints.txt . \
    && rm -rf build plugins/*.egg-info
COPY --chown=airflow:0 dags/ dags/
COPY --chown=airflow:0 include/ include/
COPY --chown=airflow:0 expectations/ expectations/

# 3) Consistency of the whole environment (base image + our constraints).
RUN if pip check; then \
        echo "pip check: no conflicts"; \
    elif [ "${PIP_CHECK}" = "warn" ]; then \
        echo "WARNING: pip check found the conflicts above; continuing because PIP_CHECK=warn"; \
    else \
        echo "ERROR: pip check found the conflicts above (build with --build-arg PIP_CHECK=warn only after review)"; \
        exit 1; \
    fi \
    && python -c "import bokslut.settings as s; assert str(s.PROJECT_ROOT) == '/opt/bokslut', s.PROJECT_ROOT" \
    && python -c "import bokslut.cli"

WORKDIR /opt/airflow
