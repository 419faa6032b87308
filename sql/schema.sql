-- SPDX-License-Identifier: ISC
-- Native schema for logout-fcgi (README, "Sessions and SQL"). MariaDB 10.11+, Galera-safe
-- (InnoDB, primary key on every table).
CREATE TABLE IF NOT EXISTS user_sessions (
  id               BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  user_id          BIGINT UNSIGNED NOT NULL,
  session_hash     BINARY(32) NOT NULL,   -- SHA-256 of the tokens' sid
  refresh_jti_hash BINARY(32) NOT NULL,   -- SHA-256 of the current refresh token's jti
  created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at       DATETIME NOT NULL,
  UNIQUE KEY uq_session (session_hash),
  UNIQUE KEY uq_refresh (refresh_jti_hash),
  KEY k_user (user_id)
) ENGINE=InnoDB;
