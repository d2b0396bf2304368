-- A quarantined item is resolved by the replay that loaded it.
ALTER TABLE sluice_quarantine ADD COLUMN resolved_by INTEGER;
