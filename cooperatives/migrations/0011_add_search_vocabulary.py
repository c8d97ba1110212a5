"""Typo correction through a vocabulary (PostgreSQL only; see docs/decisions/0002-search.md).

- `cooperatives_searchword`: every word (3+ letters a-z) of the cooperatives' and offers' search vectors, with the
  number of cooperatives and of offers holding it, and a trigram index. Statement-level triggers with transition
  tables keep the counts exact on INSERT, UPDATE, DELETE and TRUNCATE of either table (one aggregated upsert per
  statement, so bulk loads stay fast); a word no document holds any more is deleted.
- `cooperatives_searchword_rebuild()`: recounts everything from the vectors (run here once; needed again only if
  the triggers were bypassed, e.g. a bulk load with triggers disabled).
- `cooperatives_search_query(words, kind)`: the tsquery of a search: for every query word, its prefix or one of
  its closest vocabulary words (trigram word similarity >= 0.5, best 4 by similarity); AND across the words.
  The big tables are then filtered by this pure full-text query on their GIN indexes.
- The trigram indexes on search_text are dropped: nothing on PostgreSQL reads them any more, and every write paid
  for them. (search_text itself stays: it is SQLite's substring search.)
- The offers' full-text index covers active offers only: every offer search is one of public offers.

On SQLite nothing happens here.
"""

from django.db import migrations

# A lexeme the query can be corrected to. Query words are folded to [a-z0-9]; words with digits and words of one
# or two letters are matched as prefixes only (their trigrams would resemble nearly everything).
VOCABULARY_WORD = "'^[a-z]{3,}$'"

TABLE_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION {table}_vocabulary_update() RETURNS trigger AS $$
DECLARE
    changed_words text[];
    deltas integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(word ORDER BY word), array_agg(n ORDER BY word) INTO changed_words, deltas
        FROM (SELECT word, count(*)::integer AS n
              FROM new_rows, cooperatives_searchword_lexemes(new_rows.search_vector) AS word
              GROUP BY word) AS added;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(word ORDER BY word), array_agg(-n ORDER BY word) INTO changed_words, deltas
        FROM (SELECT word, count(*)::integer AS n
              FROM old_rows, cooperatives_searchword_lexemes(old_rows.search_vector) AS word
              GROUP BY word) AS removed;
    ELSE
        -- Only rows whose vector changed, and only words whose count changed: most updates touch no word.
        SELECT array_agg(word ORDER BY word), array_agg(n ORDER BY word) INTO changed_words, deltas
        FROM (SELECT word, sum(delta)::integer AS n
              FROM (SELECT new_row.search_vector AS new_vector, old_row.search_vector AS old_vector
                    FROM new_rows AS new_row JOIN old_rows AS old_row ON old_row.id = new_row.id
                    WHERE new_row.search_vector IS DISTINCT FROM old_row.search_vector) AS changed,
                   LATERAL (SELECT word, 1 AS delta FROM cooperatives_searchword_lexemes(new_vector) AS word
                            UNION ALL
                            SELECT word, -1 FROM cooperatives_searchword_lexemes(old_vector) AS word) AS words
              GROUP BY word
              HAVING sum(delta) <> 0) AS net;
    END IF;
    IF changed_words IS NOT NULL THEN
        PERFORM cooperatives_searchword_add('{kind}', changed_words, deltas);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION {table}_vocabulary_truncate() RETURNS trigger AS $$
BEGIN
    UPDATE cooperatives_searchword SET {kind} = 0 WHERE {kind} <> 0;
    DELETE FROM cooperatives_searchword WHERE cooperatives <= 0 AND offers <= 0;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER {table}_vocabulary_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_vocabulary_update();
CREATE TRIGGER {table}_vocabulary_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_vocabulary_update();
CREATE TRIGGER {table}_vocabulary_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_vocabulary_update();
CREATE TRIGGER {table}_vocabulary_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_vocabulary_truncate();
"""

FORWARD_SQL = (
    """
CREATE TABLE cooperatives_searchword (
    word text PRIMARY KEY,
    cooperatives integer NOT NULL DEFAULT 0,
    offers integer NOT NULL DEFAULT 0
);
-- No pending list (fastupdate): the vocabulary is read by every search and written by few statements.
CREATE INDEX cooperatives_searchword_trgm ON cooperatives_searchword USING gin (word gin_trgm_ops)
    WITH (fastupdate = off);
-- Like every registry table (migration registry_version): its writes raise the registry version.
CREATE TRIGGER registry_version_raise AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cooperatives_searchword
    FOR EACH STATEMENT EXECUTE FUNCTION registry_version_raise();

CREATE OR REPLACE FUNCTION cooperatives_searchword_lexemes(vector tsvector) RETURNS SETOF text AS $$
    SELECT lexeme FROM unnest(tsvector_to_array(vector)) AS lexeme WHERE lexeme ~ """
    + VOCABULARY_WORD
    + """
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- Adds deltas to the counts of one kind ('cooperatives' or 'offers'). Words are locked in sorted order, so two
-- writers cannot deadlock on the vocabulary within one statement each.
CREATE OR REPLACE FUNCTION cooperatives_searchword_add(kind text, changed_words text[], deltas integer[])
RETURNS void AS $$
BEGIN
    INSERT INTO cooperatives_searchword AS s (word, cooperatives, offers)
    SELECT d.word,
           CASE WHEN kind = 'cooperatives' THEN d.delta ELSE 0 END,
           CASE WHEN kind = 'offers' THEN d.delta ELSE 0 END
    FROM unnest(changed_words, deltas) AS d(word, delta)
    ORDER BY d.word
    ON CONFLICT (word) DO UPDATE
        SET cooperatives = s.cooperatives + EXCLUDED.cooperatives, offers = s.offers + EXCLUDED.offers;
    DELETE FROM cooperatives_searchword
    WHERE word = ANY (changed_words) AND cooperatives <= 0 AND offers <= 0;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION cooperatives_searchword_rebuild() RETURNS void AS $$
BEGIN
    LOCK TABLE cooperatives_searchword IN EXCLUSIVE MODE;
    DELETE FROM cooperatives_searchword;
    INSERT INTO cooperatives_searchword (word, cooperatives, offers)
    SELECT word, sum(cooperatives), sum(offers)
    FROM (SELECT word, ndoc AS cooperatives, 0 AS offers
          FROM ts_stat('SELECT search_vector FROM cooperatives_cooperative')
          UNION ALL
          SELECT word, 0, ndoc FROM ts_stat('SELECT search_vector FROM cooperatives_offer')) AS counts
    WHERE word ~ """
    + VOCABULARY_WORD
    + """
    GROUP BY word;
    ANALYZE cooperatives_searchword;
END
$$ LANGUAGE plpgsql;

-- The tsquery of a search, `kind` being 'cooperatives' or 'offers'. Every word matches as a prefix or as one of
-- its closest vocabulary words that the kind's documents hold (a prefix of the word is already covered by the
-- prefix). Read as an uncorrelated scalar subquery, it runs once per statement (an InitPlan).
-- Sequential scans are off inside: the planner prices pg_trgm's per-row similarity far too low, and on the
-- vocabulary the trigram index is a hundred times faster than a scan.
CREATE OR REPLACE FUNCTION cooperatives_search_query(words text[], kind text) RETURNS tsquery AS $$
    SELECT string_agg('(' || alternatives || ')', ' & ' ORDER BY ordinal)::tsquery
    FROM (
        SELECT q.ordinal,
               concat_ws(' | ', quote_literal(q.word) || ':*', string_agg(quote_literal(c.word), ' | ')) AS alternatives
        FROM unnest(words) WITH ORDINALITY AS q(word, ordinal)
        LEFT JOIN LATERAL (
            SELECT s.word
            FROM cooperatives_searchword AS s
            WHERE q.word ~ """
    + VOCABULARY_WORD
    + """
              AND q.word <% s.word
              AND NOT starts_with(s.word, q.word)
              AND CASE kind WHEN 'cooperatives' THEN s.cooperatives ELSE s.offers END > 0
            ORDER BY similarity(q.word, s.word) DESC,
                     CASE kind WHEN 'cooperatives' THEN s.cooperatives ELSE s.offers END DESC,
                     s.word
            LIMIT 4
        ) AS c ON true
        WHERE q.word ~ '^[a-z0-9]+$'
        GROUP BY q.ordinal, q.word
    ) AS per_word
$$ LANGUAGE sql STABLE PARALLEL SAFE
   SET enable_seqscan = off
   SET pg_trgm.word_similarity_threshold = 0.5;
"""
    + TABLE_TRIGGER_SQL.format(table="cooperatives_cooperative", kind="cooperatives")
    + TABLE_TRIGGER_SQL.format(table="cooperatives_offer", kind="offers")
    + """
SELECT cooperatives_searchword_rebuild();

DROP INDEX IF EXISTS coop_search_text_trgm;
DROP INDEX IF EXISTS offer_search_text_trgm;

-- Every offer search is also a search of active offers (Offer.objects.public()), and a third of the offers are
-- not active: indexing only the active ones keeps their heap pages out of every search's bitmap.
CREATE INDEX offer_active_search_vector_gin ON cooperatives_offer USING gin (search_vector) WHERE is_active;
DROP INDEX IF EXISTS offer_search_vector_gin;
"""
)

BACKWARD_SQL = """
CREATE INDEX IF NOT EXISTS offer_search_vector_gin ON cooperatives_offer USING gin (search_vector);
DROP INDEX IF EXISTS offer_active_search_vector_gin;
CREATE INDEX IF NOT EXISTS coop_search_text_trgm ON cooperatives_cooperative USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS offer_search_text_trgm ON cooperatives_offer USING gin (search_text gin_trgm_ops);
DROP TRIGGER IF EXISTS cooperatives_offer_vocabulary_truncate ON cooperatives_offer;
DROP TRIGGER IF EXISTS cooperatives_offer_vocabulary_delete ON cooperatives_offer;
DROP TRIGGER IF EXISTS cooperatives_offer_vocabulary_update ON cooperatives_offer;
DROP TRIGGER IF EXISTS cooperatives_offer_vocabulary_insert ON cooperatives_offer;
DROP TRIGGER IF EXISTS cooperatives_cooperative_vocabulary_truncate ON cooperatives_cooperative;
DROP TRIGGER IF EXISTS cooperatives_cooperative_vocabulary_delete ON cooperatives_cooperative;
DROP TRIGGER IF EXISTS cooperatives_cooperative_vocabulary_update ON cooperatives_cooperative;
DROP TRIGGER IF EXISTS cooperatives_cooperative_vocabulary_insert ON cooperatives_cooperative;
DROP FUNCTION IF EXISTS cooperatives_offer_vocabulary_truncate();
DROP FUNCTION IF EXISTS cooperatives_offer_vocabulary_update();
DROP FUNCTION IF EXISTS cooperatives_cooperative_vocabulary_truncate();
DROP FUNCTION IF EXISTS cooperatives_cooperative_vocabulary_update();
DROP FUNCTION IF EXISTS cooperatives_search_query(text[], text);
DROP FUNCTION IF EXISTS cooperatives_searchword_rebuild();
DROP FUNCTION IF EXISTS cooperatives_searchword_add(text, text[], integer[]);
DROP FUNCTION IF EXISTS cooperatives_searchword_lexemes(tsvector);
DROP TABLE IF EXISTS cooperatives_searchword;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)  # no parameters: the SQL has pg_trgm's % operators


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0010_registry_version")]
    operations = [migrations.RunPython(forwards, backwards)]
