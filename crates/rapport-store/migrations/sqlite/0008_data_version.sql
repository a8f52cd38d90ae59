-- Rapport schema v8 (SQLite). Keep in step with ../postgres/0008_data_version.sql
-- (schema-parity test).
-- A client's data_version moves with every change to their relationships or check-ins, made by
-- any process (a server, another replica, a command): triggers bump it, so no write path can
-- forget. The session lookup reads it, which lets a server keep a client's assessed
-- relationships in memory and know, without another query, whether they are still current.
ALTER TABLE users ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER relationships_version_insert AFTER INSERT ON relationships BEGIN
    UPDATE users SET data_version = data_version + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER relationships_version_update AFTER UPDATE ON relationships BEGIN
    UPDATE users SET data_version = data_version + 1 WHERE id IN (OLD.client_id, NEW.client_id);
END;
CREATE TRIGGER relationships_version_delete AFTER DELETE ON relationships BEGIN
    UPDATE users SET data_version = data_version + 1 WHERE id = OLD.client_id;
END;
CREATE TRIGGER checkins_version_insert AFTER INSERT ON checkins BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id = (SELECT client_id FROM relationships WHERE id = NEW.relationship_id);
END;
CREATE TRIGGER checkins_version_update AFTER UPDATE ON checkins BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id IN (SELECT client_id FROM relationships WHERE id IN (OLD.relationship_id, NEW.relationship_id));
END;
CREATE TRIGGER checkins_version_delete AFTER DELETE ON checkins BEGIN
    UPDATE users SET data_version = data_version + 1
        WHERE id = (SELECT client_id FROM relationships WHERE id = OLD.relationship_id);
END;
