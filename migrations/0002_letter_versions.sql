-- Version 1 -> 2: letter updates. Every imported version of a letter gets
-- a row in letter_versions (re-imports of any version are recognised
-- there); letters keeps the latest version. Existing letters get one
-- version row each, from what the letters row holds. The CREATE statements
-- are copied from schema.sql, comments included: sqlite_master keeps their
-- text, and the upgrade test compares it with a fresh database.

-- Every version of a letter ever imported: the first import and each update.
CREATE TABLE letter_versions (
    id              INTEGER PRIMARY KEY,     -- version id, in order of import
    letter_id       INTEGER NOT NULL REFERENCES letters (id), -- the letter this is a version of
    sha256          TEXT NOT NULL,           -- hex SHA-256 of the imported bytes, to recognise re-imports of any version
    part            INTEGER NOT NULL DEFAULT 1, -- which statement of a page holding several (1-based)
    imported_at     TEXT NOT NULL,           -- UTC time of the import, ISO 8601
    raw_text        TEXT NOT NULL,           -- the decoded page of this version
    signatory_count INTEGER NOT NULL,        -- signers listed in this version
    UNIQUE (sha256, part)
);

CREATE INDEX letter_versions_by_letter ON letter_versions (letter_id, id);
CREATE INDEX letters_by_url ON letters (url, part);

-- Version 1 had no updates, so a letter's current text is its only version
-- and its signed signatures are the signers that version lists.
INSERT INTO letter_versions (letter_id, sha256, part, imported_at, raw_text, signatory_count)
SELECT l.id, l.sha256, l.part, l.imported_at, l.raw_text,
       (SELECT count(*) FROM signatures s WHERE s.letter_id = l.id AND s.status = 'signed')
FROM letters l
ORDER BY l.id;
