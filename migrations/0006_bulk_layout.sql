-- Version 5 -> 6: a layout for large imports. An import used to rewrite
-- pages all over the registry: one page of signatures_by_org per signer,
-- one of name_blocks per key of every new name, and pages of indexes no
-- query needed. At ten million signatures one import of a thousand
-- letters wrote 1.4 GB, most of it pages that had only gained a row.
-- Now signatures_by_org leads with the signature's era (an import's rows
-- fill the newest era's pages), name_blocks is keyed by a 64-bit hash of
-- the key with the ids packed in a blob (a third of the size), and the
-- aliases table loses its UNIQUE (org_id, name, letter_id), which no
-- insert relied on (NULL letter ids never conflicted; the store looks a
-- printed form up before adding it) and whose index was rewritten at
-- every import, as was organizations_by_name, which no query used.
-- The CREATE statements are copied from schema.sql, comments included:
-- sqlite_master keeps their text, and the upgrade test compares it with a
-- fresh database.

DROP INDEX organizations_by_name;

DROP INDEX signatures_by_org;
CREATE INDEX signatures_by_org ON signatures (id >> 18, org_id, letter_id, position, status, name_as_printed);

CREATE VIEW signature_eras (era) AS
    WITH RECURSIVE e (era) AS (
        SELECT 0
        UNION ALL
        SELECT era + 1 FROM e WHERE era < (SELECT coalesce(max(id), 0) >> 18 FROM signatures)
    )
    SELECT era FROM e;

-- The aliases table again without its UNIQUE constraint, the same rows
-- under the same ids (name_search refers to them). Renamed first, so the
-- new table is created under its own name, then its indexes and triggers.
ALTER TABLE aliases RENAME TO aliases_v5;
CREATE TABLE aliases (
    id         INTEGER PRIMARY KEY,          -- alias id
    org_id     INTEGER NOT NULL REFERENCES organizations (id), -- the organization this form names
    name       TEXT NOT NULL,                -- the form as printed (notes removed)
    key        TEXT NOT NULL,                -- normalized key used for exact matching (normalize::name_key)
    letter_id  INTEGER REFERENCES letters (id), -- the letter it was seen in; NULL when added by a person or a table
    origin     TEXT NOT NULL DEFAULT 'letter'
               CHECK (origin IN ('letter', 'user', 'table')) -- where the form came from
);
INSERT INTO aliases (id, org_id, name, key, letter_id, origin)
    SELECT id, org_id, name, key, letter_id, origin FROM aliases_v5;
DROP TABLE aliases_v5;
CREATE INDEX aliases_by_key ON aliases (key);                           -- matching a printed name, signed-by NAME
CREATE INDEX aliases_by_org ON aliases (org_id);                        -- an organization's forms
CREATE INDEX aliases_by_letter ON aliases (letter_id);                  -- forms a letter brought

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
CREATE TRIGGER aliases_blocking_insert AFTER INSERT ON aliases BEGIN
    INSERT INTO blocking_queue (alias_id) VALUES (new.id);
END;
CREATE TRIGGER aliases_blocking_rename AFTER UPDATE OF name ON aliases BEGIN
    INSERT OR IGNORE INTO blocking_queue (alias_id) VALUES (new.id);
END;
CREATE TRIGGER aliases_blocking_delete AFTER DELETE ON aliases BEGIN
    DELETE FROM blocking_queue WHERE alias_id = old.id;
END;

-- Blocking keys by hash: the table is filled again from every alias,
-- queued here and filed by the store before it next matches a name.
DROP TABLE name_blocks;
CREATE TABLE name_blocks (
    block   INTEGER PRIMARY KEY,             -- hash of the key: kind letter, ':' and value ("t:karenni", "f:burma campaign uk")
    forms   INTEGER NOT NULL,                -- printed forms ever filed under it
    aliases BLOB                             -- their aliases.id in filing order, each as the zigzag varint of its difference from the one before; NULL once forms > 2000
);
DELETE FROM blocking_queue;
INSERT INTO blocking_queue (alias_id) SELECT id FROM aliases;
