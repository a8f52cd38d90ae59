-- Rapport schema v8 (PostgreSQL). Keep in step with ../sqlite/0008_data_version.sql
-- (schema-parity test).
-- A client's data_version moves with every change to their relationships or check-ins, made by
-- any process (a server, another replica, a command): triggers bump it, so no write path can
-- forget. The session lookup reads it, which lets a server keep a client's assessed
-- relationships in memory and know, without another query, whether they are still current.
ALTER TABLE users ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION relationships_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE users SET data_version = data_version + 1 WHERE id = OLD.client_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.client_id IS DISTINCT FROM OLD.client_id) THEN
        UPDATE users SET data_version = data_version + 1 WHERE id = NEW.client_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER relationships_version AFTER INSERT OR UPDATE OR DELETE ON relationships
    FOR EACH ROW EXECUTE FUNCTION relationships_bump_version();

CREATE FUNCTION checkins_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE users SET data_version = data_version + 1
            WHERE id = (SELECT client_id FROM relationships WHERE id = OLD.relationship_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.relationship_id IS DISTINCT FROM OLD.relationship_id) THEN
        UPDATE users SET data_version = data_version + 1
            WHERE id = (SELECT client_id FROM relationships WHERE id = NEW.relationship_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER checkins_version AFTER INSERT OR UPDATE OR DELETE ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_bump_version();
