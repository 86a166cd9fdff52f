"""Export files into the warehouse, one input file at a time, by write-audit-publish: staged under a
new load (invisible to reports), audited, then published atomically or rejected.

Modules, one job each (in the order a file meets them)::

    limits               what an input file may be, checked before anything parses it
    formats              one declared column list per source format (``docs/spec/formats.md``)
    mapping              header mappings: a YAML file per site renaming its headers to the canonical ones
    read                 streaming readers (CSV in UTF-8, UTF-8 BOM or Windows-1252; XLSX), in chunks
    validate             row checks on a chunk, vectorised: typed rows out, Swedish reasons for the rest
    write_audit_publish  one file's stage (archive, rows under a new ``load_id``, quarantine), audit,
                         publish (the publication pointer swapped in one transaction) or reject
    status               the states of a load and the input file types (light: a flow imports them)
    errors               the input-file errors a finance user reads (Swedish; file, line, column)
"""
