-- Version 4 -> 5: signed-by answers from indexes alone. An
-- organization's signatures lie all over the signatures table and each
-- letter's row starts on a page of its own (the text follows), so at ten
-- million signatures the answer for a frequent signer read thousands of
-- pages; these two indexes hold what it prints, in the order it reads.
DROP INDEX signatures_by_org;
CREATE INDEX signatures_by_org ON signatures (org_id, letter_id, position, status, name_as_printed);
CREATE INDEX letters_brief ON letters (id, date, title);
