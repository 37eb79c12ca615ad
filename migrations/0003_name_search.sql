-- Version 2 -> 3: full-text search over names (orgs --search, signed-by
-- NAME). An FTS5 index over aliases.key kept in step by triggers, filled
-- once here from the aliases already stored. The CREATE statements are
-- copied from schema.sql, comments included: sqlite_master keeps their
-- text, and the upgrade test compares it with a fresh database.

CREATE VIRTUAL TABLE name_search USING fts5 (
    key,                                     -- aliases.key: the folded printed form
    org_id UNINDEXED,                        -- aliases.org_id: the organization it names
    content = 'aliases',
    content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER aliases_search_insert AFTER INSERT ON aliases BEGIN
    INSERT INTO name_search (rowid, key, org_id) VALUES (new.id, new.key, new.org_id);
END;
CREATE TRIGGER aliases_search_delete AFTER DELETE ON aliases BEGIN
    INSERT INTO name_search (name_search, rowid, key, org_id) VALUES ('delete', old.id, old.key, old.org_id);
END;
CREATE TRIGGER aliases_search_update AFTER UPDATE ON aliases BEGIN
    INSERT INTO name_search (name_search, rowid, key, org_id) VALUES ('delete', old.id, old.key, old.org_id);
    INSERT INTO name_search (rowid, key, org_id) VALUES (new.id, new.key, new.org_id);
END;

-- The aliases a version 2 registry holds, indexed.
INSERT INTO name_search (name_search) VALUES ('rebuild');
