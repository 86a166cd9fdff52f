-- The loads that publish a source for one förvaltning (write-audit-publish): a load's rows count
-- only while publication points at it. Included as {published_loads} by the SQL that reads
-- published data (bokslut/sql.py); binds the source and the förvaltning.
SELECT load_id FROM publication WHERE source = :source AND forvaltning = :forvaltning
