-- Each project's LC_CTYPE as its database reported it at the last live read. PostgreSQL's regular
-- expressions and lower() classify and fold characters by it, so --cached follows it too.
ALTER TABLE index_state ADD COLUMN ctype TEXT;
