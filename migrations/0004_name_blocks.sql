-- Version 3 -> 4: blocking keys kept in the database, so an import asks
-- SQLite for a name's candidates instead of loading every alias into
-- memory. The keys are computed by the matcher (Rust), so this step only
-- creates the tables and triggers and queues every alias already stored;
-- the store files the queue before it next matches a name. The CREATE
-- statements are copied from schema.sql, comments included: sqlite_master
-- keeps their text, and the upgrade test compares it with a fresh database.

-- Blocking: the keys under which the matcher finds the few printed forms
-- worth scoring against a name, without reading the whole registry
-- (src/matching/blocks.rs): the fingerprint, transliteration and joined
-- letters of a name, its alias-table entry, acronyms, first-letter
-- shapes, words and letter trigrams. A trigger queues every new alias;
-- the store files it under its keys before the next name is matched. A
-- key's forms are one text value, read in one step; a key held by more
-- forms than the matcher reads (2,000) keeps only its count. Ids may
-- outlive a renamed or deleted alias: readers look the forms up, and a
-- stale id only adds a candidate that its real name then fails.
CREATE TABLE name_blocks (
    block   TEXT PRIMARY KEY,                -- a key: kind letter, ':' and value ("t:karenni", "f:burma campaign uk")
    forms   INTEGER NOT NULL,                -- printed forms ever filed under it
    aliases TEXT                             -- their aliases.id, comma-separated, in filing order; NULL once forms > 2000
) WITHOUT ROWID;

-- Printed forms not yet filed under their keys.
CREATE TABLE blocking_queue (
    alias_id INTEGER PRIMARY KEY             -- aliases.id of the form to file
);

CREATE TRIGGER aliases_blocking_insert AFTER INSERT ON aliases BEGIN
    INSERT INTO blocking_queue (alias_id) VALUES (new.id);
END;
CREATE TRIGGER aliases_blocking_rename AFTER UPDATE OF name ON aliases BEGIN
    INSERT OR IGNORE INTO blocking_queue (alias_id) VALUES (new.id);
END;
CREATE TRIGGER aliases_blocking_delete AFTER DELETE ON aliases BEGIN
    DELETE FROM blocking_queue WHERE alias_id = old.id;
END;

-- The aliases a version 3 registry holds, queued for filing.
INSERT INTO blocking_queue (alias_id) SELECT id FROM aliases;

-- The signatures that tell something about their signer (a note or a
-- section heading), by signer: what classification reads.
CREATE INDEX signatures_clues ON signatures (org_id, letter_id)
    WHERE note IS NOT NULL OR section IS NOT NULL;

-- Signatures not (or no longer) signed: few, so a letter's count of
-- signers is its rows, from the index above, less these.
CREATE INDEX signatures_unsigned ON signatures (letter_id) WHERE status <> 'signed';
CREATE INDEX signatures_unsigned_by_org ON signatures (org_id, letter_id) WHERE status <> 'signed';
