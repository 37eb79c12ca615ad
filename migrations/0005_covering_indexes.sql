-- Version 4 -> 5: answers from indexes alone. An organization's
-- signatures lie all over the signatures table and each letter's row
-- starts on a page of its own (the text follows), so at ten million
-- signatures signed-by for a frequent signer, and classifying one again,
-- read thousands of pages. These indexes hold what those read, in the
-- order they read it.
DROP INDEX signatures_by_org;
CREATE INDEX signatures_by_org ON signatures (org_id, letter_id, position, status, name_as_printed);
DROP INDEX signatures_clues;
CREATE INDEX signatures_clues ON signatures (org_id, letter_id, position, note, section, name_as_printed)
    WHERE note IS NOT NULL OR section IS NOT NULL;
CREATE INDEX letters_brief ON letters (id, date, title);
