import GRDB

/// The database schema, as an ordered list of migrations. A migration, once released, never
/// changes: later versions add new ones. `docs/schema.md` explains every table and column.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: articles, sightings, failures, raw inputs") { db in
            try db.execute(sql: """
                CREATE TABLE articles (
                    id              INTEGER PRIMARY KEY,
                    sha256          TEXT NOT NULL UNIQUE,
                    title           TEXT,
                    text            TEXT NOT NULL,
                    url             TEXT,
                    canonical_url   TEXT,
                    published_at    TEXT,
                    published_raw   TEXT,
                    author          TEXT,
                    outlet          TEXT,
                    language        TEXT,
                    external_id     TEXT,
                    dateline_place  TEXT,
                    dateline_agency TEXT,
                    word_count      INTEGER NOT NULL,
                    received_at     TEXT NOT NULL,
                    revision_of     INTEGER REFERENCES articles(id)
                ) STRICT;
                CREATE INDEX articles_by_canonical_url ON articles(canonical_url) WHERE canonical_url IS NOT NULL;
                CREATE INDEX articles_by_received_at ON articles(received_at);
                CREATE INDEX articles_by_published_at ON articles(published_at);

                CREATE TABLE sightings (
                    id          INTEGER PRIMARY KEY,
                    article_id  INTEGER NOT NULL REFERENCES articles(id),
                    delivery    TEXT NOT NULL,
                    item        INTEGER NOT NULL,
                    origin      TEXT NOT NULL CHECK (origin IN ('file', 'url')),
                    name        TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    raw_sha256  TEXT NOT NULL,
                    UNIQUE (delivery, item)
                ) STRICT;
                CREATE INDEX sightings_by_article ON sightings(article_id);

                CREATE TABLE failures (
                    id          INTEGER PRIMARY KEY,
                    delivery    TEXT NOT NULL,
                    item        INTEGER NOT NULL,
                    origin      TEXT NOT NULL CHECK (origin IN ('file', 'url')),
                    name        TEXT NOT NULL,
                    stage       TEXT NOT NULL,
                    reason      TEXT NOT NULL,
                    failed_at   TEXT NOT NULL,
                    raw_sha256  TEXT,
                    UNIQUE (delivery, item)
                ) STRICT;
                CREATE INDEX failures_by_raw_sha256 ON failures(raw_sha256);

                CREATE TABLE raw_inputs (
                    sha256    TEXT PRIMARY KEY,
                    bytes     BLOB NOT NULL,
                    stored_at TEXT NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v2: full-text index") { db in
            // An external-content FTS5 index over articles: the text is stored once, in
            // `articles`; the recorder adds each new article's row here in the same transaction.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE articles_fts USING fts5(
                    title, text, content = 'articles', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
                """)
        }
        migrator.registerMigration("v3: near-duplicates and stories") { db in
            // 64-bit hashes (band keys, sentence keys, term hashes) are stored as signed
            // INTEGER with the same bit pattern. Posting lists are never trimmed: readers take
            // the newest `postingCap` entries through the primary key, so a lookup costs the
            // same however long a list grows.
            try db.execute(sql: """
                ALTER TABLE articles ADD COLUMN duplicate_group INTEGER REFERENCES articles(id);
                ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id);
                ALTER TABLE articles ADD COLUMN duplicate_similarity REAL;
                ALTER TABLE articles ADD COLUMN story_id INTEGER;
                ALTER TABLE articles ADD COLUMN story_day INTEGER;
                CREATE INDEX articles_by_duplicate_group ON articles(duplicate_group);
                CREATE INDEX articles_by_story ON articles(story_id);

                CREATE TABLE article_features (
                    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
                    minhash    BLOB NOT NULL,
                    units      BLOB NOT NULL,
                    weights    BLOB
                ) STRICT;

                CREATE TABLE band_postings (
                    band       INTEGER NOT NULL,
                    key        INTEGER NOT NULL,
                    article_id INTEGER NOT NULL,
                    PRIMARY KEY (band, key, article_id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE sentence_postings (
                    key        INTEGER NOT NULL,
                    article_id INTEGER NOT NULL,
                    PRIMARY KEY (key, article_id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE term_documents (
                    term      INTEGER PRIMARY KEY,
                    documents INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE corpus_counters (
                    name  TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                ) STRICT;
                INSERT INTO corpus_counters (name, value) VALUES ('story_documents', 0);

                CREATE TABLE stories (
                    id            INTEGER PRIMARY KEY,
                    label         TEXT,
                    first_day     INTEGER,
                    last_day      INTEGER,
                    first_seen    TEXT NOT NULL,
                    last_seen     TEXT NOT NULL,
                    article_count INTEGER NOT NULL,
                    centroid      BLOB NOT NULL,
                    posted        BLOB NOT NULL,
                    members       BLOB NOT NULL
                ) STRICT;
                CREATE INDEX stories_by_last_seen ON stories(last_seen);

                CREATE TABLE story_postings (
                    term     INTEGER NOT NULL,
                    story_id INTEGER NOT NULL,
                    PRIMARY KEY (term, story_id)
                ) STRICT, WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4: fetch queue and response archive") { db in
            // The queue is the fetcher's only memory: a URL is a row from the moment it is
            // accepted until it is done or failed for good, so a crash or restart loses none.
            // `due_at` is Unix seconds (REAL) because the scheduler compares it with the clock.
            try db.execute(sql: """
                CREATE TABLE fetch_queue (
                    id            INTEGER PRIMARY KEY,
                    url           TEXT NOT NULL,
                    canonical_url TEXT NOT NULL UNIQUE,
                    state         TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
                    generation    INTEGER NOT NULL DEFAULT 1,
                    conditional   INTEGER NOT NULL DEFAULT 0,
                    attempts      INTEGER NOT NULL DEFAULT 0,
                    due_at        REAL NOT NULL,
                    queued_at     TEXT NOT NULL,
                    queued_by     TEXT NOT NULL,
                    finished_at   TEXT,
                    http_status   INTEGER,
                    final_url     TEXT,
                    etag          TEXT,
                    last_modified TEXT,
                    last_error    TEXT,
                    article_id    INTEGER REFERENCES articles(id)
                ) STRICT;
                CREATE INDEX fetch_queue_due ON fetch_queue(due_at) WHERE state = 'queued';

                CREATE TABLE fetch_archive (
                    id         INTEGER PRIMARY KEY,
                    fetch_id   INTEGER NOT NULL REFERENCES fetch_queue(id),
                    fetched_at TEXT NOT NULL,
                    status     INTEGER NOT NULL,
                    encoding   TEXT NOT NULL CHECK (encoding IN ('zlib')),
                    response   BLOB NOT NULL
                ) STRICT;
                CREATE INDEX fetch_archive_by_fetch ON fetch_archive(fetch_id);
                """)
        }
        migrator.registerMigration("v5: stories scored by their centroid") { db in
            // An article is scored against each candidate story's centroid, no longer against
            // the story's last members (measured: story F1 as good, and the stage twice as
            // fast), so the members' stored weights and each story's member list are not read.
            try db.execute(sql: """
                ALTER TABLE article_features DROP COLUMN weights;
                ALTER TABLE stories DROP COLUMN members;
                """)
        }
        migrator.registerMigration("v6: stored centroid norms") { db in
            // A story's IDF-weighted centroid norm, kept from its last change, so that scoring
            // an article needs the IDF of the article's own terms only. Stories written before
            // have none; the writer computes it when it next reads them.
            try db.execute(sql: "ALTER TABLE stories ADD COLUMN centroid_norm REAL")
        }
        migrator.registerMigration("v7: fetch queue counts") { db in
            // `status` reports the fetch queue by state at every call; counting the queue's rows
            // grew with the fetch history. Triggers keep the counts, in the transaction that
            // changes a row, so they cannot drift from it.
            try db.execute(sql: """
                CREATE TABLE fetch_queue_counts (
                    state TEXT PRIMARY KEY CHECK (state IN ('queued', 'done', 'failed')),
                    urls  INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                INSERT INTO fetch_queue_counts (state, urls)
                    SELECT state, (SELECT count(*) FROM fetch_queue WHERE fetch_queue.state = states.state)
                    FROM (SELECT 'queued' AS state UNION ALL SELECT 'done' UNION ALL SELECT 'failed') AS states;
                CREATE TRIGGER fetch_queue_counts_insert AFTER INSERT ON fetch_queue BEGIN
                    UPDATE fetch_queue_counts SET urls = urls + 1 WHERE state = new.state;
                END;
                CREATE TRIGGER fetch_queue_counts_update AFTER UPDATE OF state ON fetch_queue
                WHEN old.state <> new.state BEGIN
                    UPDATE fetch_queue_counts SET urls = urls - 1 WHERE state = old.state;
                    UPDATE fetch_queue_counts SET urls = urls + 1 WHERE state = new.state;
                END;
                CREATE TRIGGER fetch_queue_counts_delete AFTER DELETE ON fetch_queue BEGIN
                    UPDATE fetch_queue_counts SET urls = urls - 1 WHERE state = old.state;
                END;
                """)
        }
        migrator.registerMigration("v8: index slices") { db in
            // Postings and document frequencies are written a slice of the key space per commit
            // (`IndexSlices`); each slice's watermark is the newest article whose entries in it
            // are written. Everything stored before is written: every watermark starts at the
            // newest placed article.
            try db.execute(sql: """
                CREATE TABLE index_slices (
                    slice           INTEGER PRIMARY KEY CHECK (slice BETWEEN 0 AND 63),
                    written_through INTEGER NOT NULL
                ) STRICT;
                WITH RECURSIVE slices (slice) AS (SELECT 0 UNION ALL SELECT slice + 1 FROM slices WHERE slice < 63)
                INSERT INTO index_slices (slice, written_through)
                    SELECT slice, (SELECT coalesce(max(article_id), 0) FROM article_features) FROM slices;
                """)
        }
        // `.immediate`: the migration changes no table, and GRDB's default (`.deferred`) ends a
        // migration with `PRAGMA foreign_key_check` over the whole database, which kept the
        // daemon from starting for minutes on a store of a million articles.
        migrator.registerMigration("v9: full-text pending data", foreignKeyChecks: .immediate) { db in
            // FTS5 keeps the terms of rows inserted in a transaction in memory and writes them
            // out as a new segment at the commit, or sooner once they pass `hashsize` (1 MB by
            // default). A batch of 256 articles of a thousand words passed it one or more times
            // before its commit, each time writing one more small segment for later merges to
            // rewrite; 8 MB holds such a batch whole and bounds what a batch of huge articles
            // holds. Kept in the index's own configuration table.
            try db.execute(sql: "INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 8388608)")
        }
        return migrator
    }
}
