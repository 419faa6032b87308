-- SPDX-License-Identifier: ISC
-- laravel-sanctum.sql — the tables a Laravel + Sanctum application has, as
-- Laravel's schema builder creates them on MariaDB: Sanctum 4's
-- create_personal_access_tokens_table migration and a minimal users table
-- (Laravel's default create_users_table, without password_reset_tokens and
-- sessions). For tests and demos; an existing Laravel database needs none of it.

CREATE TABLE IF NOT EXISTS `users` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `name` varchar(255) NOT NULL,
  `email` varchar(255) NOT NULL,
  `email_verified_at` timestamp NULL,
  `password` varchar(255) NOT NULL,
  `remember_token` varchar(100) NULL,
  `created_at` timestamp NULL,
  `updated_at` timestamp NULL,
  UNIQUE KEY `users_email_unique` (`email`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE 'utf8mb4_unicode_ci' ENGINE=InnoDB;

-- $table->id(); $table->morphs('tokenable'); $table->text('name');
-- $table->string('token', 64)->unique(); $table->text('abilities')->nullable();
-- $table->timestamp('last_used_at')->nullable();
-- $table->timestamp('expires_at')->nullable()->index(); $table->timestamps();
CREATE TABLE IF NOT EXISTS `personal_access_tokens` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `tokenable_type` varchar(255) NOT NULL,
  `tokenable_id` bigint unsigned NOT NULL,
  `name` text NOT NULL,
  `token` varchar(64) NOT NULL,
  `abilities` text NULL,
  `last_used_at` timestamp NULL,
  `expires_at` timestamp NULL,
  `created_at` timestamp NULL,
  `updated_at` timestamp NULL,
  KEY `personal_access_tokens_tokenable_type_tokenable_id_index` (`tokenable_type`, `tokenable_id`),
  UNIQUE KEY `personal_access_tokens_token_unique` (`token`),
  KEY `personal_access_tokens_expires_at_index` (`expires_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE 'utf8mb4_unicode_ci' ENGINE=InnoDB;
