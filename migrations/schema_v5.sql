-- undersigned: the registry schema, applied whole to a new database.
-- An existing database is brought here step by step by the migrations in
-- migrations/ (see src/store/migrate.rs); a test checks that both roads
-- end in the same schema. PRAGMA user_version holds the schema version.

-- A letter (one statement with its signatory list) as imported.
CREATE TABLE letters (
    id            INTEGER PRIMARY KEY,      -- letter id shown to users
    title         TEXT,                     -- title read from the page or given with --title
    date          TEXT,                     -- ISO date (YYYY-MM-DD, YYYY-MM or YYYY) read or given with --date
    source        TEXT NOT NULL,            -- the file path (or "-" for stdin) it was imported from
    url           TEXT,                     -- where the letter is published, given with --url
    sha256        TEXT NOT NULL,            -- hex SHA-256 of the imported bytes, to recognise re-imports
    part          INTEGER NOT NULL DEFAULT 1, -- which statement of a page holding several (1-based)
    language      TEXT,                     -- ISO 639-1 code of the list header
    format        TEXT NOT NULL,            -- text | markdown | html
    claimed_count INTEGER,                  -- signer count the text claims ("the undersigned 259 organizations")
    partial       INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1)), -- the text says the list is partial
    imported_at   TEXT NOT NULL,            -- UTC time of the import, ISO 8601
    raw_text      TEXT NOT NULL,            -- the decoded page, so a letter can be re-parsed later
    UNIQUE (sha256, part)
);

-- Every version of a letter ever imported: the first import and each update
-- (import --update, or a new page at the same --url). The letters row holds
-- the latest version's hash, text and counts; nothing here is ever deleted.
-- On an update a signature still listed takes the new version's entry and
-- line (signatures.line points into letters.raw_text); a withdrawn one keeps
-- those of the last version that listed it.
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

-- An organization or person in the registry: one identity, many printed forms.
CREATE TABLE organizations (
    id                 INTEGER PRIMARY KEY,  -- organization id shown to users
    name               TEXT NOT NULL,        -- canonical name (the first form seen, notes removed)
    acronym            TEXT,                 -- acronym printed with it ("APHR")
    kind               TEXT NOT NULL DEFAULT 'organization'
                       CHECK (kind IN ('organization', 'individual')), -- organization or person
    country            TEXT,                 -- ISO 3166-1 alpha-2 code of where it is based
    country_reason     TEXT,                 -- why that country ("note \"(New Zealand)\" in letter 3")
    country_confidence REAL,                 -- 0..1, how sure the country is
    country_locked     INTEGER NOT NULL DEFAULT 0 CHECK (country_locked IN (0, 1)), -- set by a person; classification leaves it
    focus_country      TEXT,                 -- ISO code of the country the name is about, when not its base
    org_type           TEXT,                 -- ngo | community | trade_union | faith | academic | network | foundation | media | legal | political | campaign | business | individual
    org_type_reason    TEXT,                 -- why that type
    org_type_locked    INTEGER NOT NULL DEFAULT 0 CHECK (org_type_locked IN (0, 1)), -- set by a person; classification leaves it
    tags               TEXT,                 -- focus tags, comma-separated (women, youth, human_rights...)
    created_at         TEXT NOT NULL         -- UTC time it entered the registry
);

-- Every printed form of a name, and which organization it stands for.
CREATE TABLE aliases (
    id         INTEGER PRIMARY KEY,          -- alias id
    org_id     INTEGER NOT NULL REFERENCES organizations (id), -- the organization this form names
    name       TEXT NOT NULL,                -- the form as printed (notes removed)
    key        TEXT NOT NULL,                -- normalized key used for exact matching (normalize::name_key)
    letter_id  INTEGER REFERENCES letters (id), -- the letter it was seen in; NULL when added by a person or a table
    origin     TEXT NOT NULL DEFAULT 'letter'
               CHECK (origin IN ('letter', 'user', 'table')), -- where the form came from
    UNIQUE (org_id, name, letter_id)
);

-- One signature: a signer's entry in a letter's list.
CREATE TABLE signatures (
    id              INTEGER PRIMARY KEY,     -- signature id
    letter_id       INTEGER NOT NULL REFERENCES letters (id), -- the letter signed
    org_id          INTEGER NOT NULL REFERENCES organizations (id), -- who signed
    position        INTEGER NOT NULL,        -- 1-based place in the printed list
    name_as_printed TEXT NOT NULL,           -- the entry as printed, list marker removed
    note            TEXT,                    -- note printed with it: country, state, title ("New Zealand", "KS", "MR")
    affiliation     TEXT,                    -- for individuals: the affiliation printed with the name
    section         TEXT,                    -- the list section it sits under ("Individuals")
    line            INTEGER NOT NULL,        -- provenance: 1-based line in letters.raw_text
    raw_text        TEXT NOT NULL,           -- provenance: the whole source line
    match_reason    TEXT NOT NULL,           -- why it was linked to org_id ("new", "same name key as ...")
    status          TEXT NOT NULL DEFAULT 'signed'
                    CHECK (status IN ('signed', 'withdrawn')), -- withdrawn when a later version drops it
    added_on        TEXT,                    -- date it appeared, for signers added by a later version
    withdrawn_on    TEXT                     -- date a later version dropped it
);

-- A person's decision about whether two printed names are one organization.
-- Keyed by name keys, not ids, so decisions survive re-clustering.
CREATE TABLE judgements (
    id         INTEGER PRIMARY KEY,          -- judgement id
    key_a      TEXT NOT NULL,                -- the smaller of the two name keys
    key_b      TEXT NOT NULL,                -- the larger of the two name keys
    verdict    TEXT NOT NULL CHECK (verdict IN ('same', 'different', 'unsure')), -- the decision
    decided_at TEXT NOT NULL,                -- UTC time of the decision
    note       TEXT,                         -- free text from the reviewer
    UNIQUE (key_a, key_b),
    CHECK (key_a < key_b)
);

-- Every merge and split, with what is needed to undo it.
CREATE TABLE merge_log (
    id       INTEGER PRIMARY KEY,            -- log entry id, in order of the changes
    op       TEXT NOT NULL CHECK (op IN ('merge', 'split')), -- what was done
    at       TEXT NOT NULL,                  -- UTC time
    detail   TEXT NOT NULL,                  -- JSON: the rows before the change, for undo
    undone   INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)) -- 1 once undone
);

-- One index per question the commands ask.
CREATE INDEX signatures_by_letter ON signatures (letter_id, position);  -- show LETTER
-- An organization's signatures with what signed-by prints of them, so the
-- answer is read from the index alone (a signer's rows lie all over the
-- table); also orgs' letter counts and the overlap's incidence.
CREATE INDEX signatures_by_org ON signatures (org_id, letter_id, position, status, name_as_printed);
-- Signatures not (or no longer) signed: few, so a letter's count of
-- signers is its rows, from the index above, less these.
CREATE INDEX signatures_unsigned ON signatures (letter_id) WHERE status <> 'signed';
CREATE INDEX signatures_unsigned_by_org ON signatures (org_id, letter_id) WHERE status <> 'signed';
-- The signatures that tell something about their signer (a note or a
-- section heading), by signer, with the clues themselves: classification
-- reads them from here, not from rows spread over the table.
CREATE INDEX signatures_clues ON signatures (org_id, letter_id, position, note, section, name_as_printed)
    WHERE note IS NOT NULL OR section IS NOT NULL;
CREATE INDEX aliases_by_key ON aliases (key);                           -- matching a printed name
CREATE INDEX aliases_by_org ON aliases (org_id);                        -- an organization's forms
CREATE INDEX aliases_by_letter ON aliases (letter_id);                  -- forms a letter brought
CREATE INDEX organizations_by_name ON organizations (name COLLATE NOCASE); -- orgs --search, signed-by NAME
CREATE INDEX organizations_by_country ON organizations (country, org_type); -- filters by country and type
CREATE INDEX letters_by_date ON letters (date);                         -- letters, date ranges
CREATE INDEX letters_brief ON letters (id, date, title);                -- a list of letters by id without reading their text
CREATE INDEX letter_versions_by_letter ON letter_versions (letter_id, id); -- a letter's versions, in order
CREATE INDEX letters_by_url ON letters (url, part);                    -- import --url: the letter published there

-- Full-text search over every printed form of a name (orgs --search,
-- signed-by NAME). An FTS5 index over aliases.key, the folded form the
-- matcher compares, so a search folds case, quotes, dashes, "&" and Arabic
-- letter forms as matching does. The trigram tokenizer finds any part of a
-- word (three characters or more), in scripts written without spaces too.
-- An organization's name is always one of its aliases (an import records
-- it), so names are covered. The index holds no text of its own
-- (content='aliases'); the triggers below keep it in step with aliases.
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

-- Blocking: the keys under which the matcher finds the few printed forms
-- worth scoring against a name, without reading the whole registry
-- (src/matching/blocks.rs): the fingerprint, transliteration and joined
-- letters of a name, its alias-table entry, acronyms, first-letter
-- shapes, words and letter trigrams. A trigger queues every new alias;
-- the store files it under its keys before the next name is matched. A
-- key's forms are one text value, read in one step; a key held by more
-- forms than the matcher reads (2,000) keeps only its count, and a
-- trigram or shape key, which a search only asks whether it is past that
-- limit, stops counting there (writing it again would dirty its page at
-- every import for nothing). Ids may outlive a renamed or deleted alias:
-- readers look the forms up, and a stale id only adds a candidate that
-- its real name then fails.
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

PRAGMA user_version = 5;
