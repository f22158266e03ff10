// One function over 60 lines: a migration is the schema as one SQL script, read top to bottom
// (tables, then the constraints and indexes that refer to them); split up, it would only scatter.
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue schema. Text search runs on `fkapi_unaccent(lower(col))` so that one trigram GIN
 * index per searched column serves both accent-insensitive substring and word-similarity matching.
 */
export class InitialSchema1764057600000 implements MigrationInterface {
  name = 'InitialSchema1764057600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    // unaccent() is STABLE (it depends on the dictionary search path); index expressions must be
    // IMMUTABLE, so pin the dictionary explicitly and declare the wrapper immutable.
    await q.query(`
      CREATE OR REPLACE FUNCTION fkapi_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$`);

    await q.query(`
      CREATE TABLE colors (
        id bigserial PRIMARY KEY,
        name varchar(100) NOT NULL,
        color varchar(25) NOT NULL DEFAULT '#FF0000'
      )`);
    await q.query(`CREATE INDEX idx_colors_name ON colors (name)`);
    await q.query(`
      CREATE TABLE variations (
        id bigserial PRIMARY KEY,
        name varchar(100) NOT NULL,
        parent_color_id bigint NOT NULL REFERENCES colors (id) ON DELETE CASCADE,
        color varchar(25) NOT NULL DEFAULT '#FF0000',
        color_r integer NOT NULL DEFAULT 0,
        color_g integer NOT NULL DEFAULT 0,
        color_b integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX idx_variations_parent ON variations (parent_color_id)`);

    await q.query(`
      CREATE TABLE seasons (
        id bigserial PRIMARY KEY,
        year varchar(9) NOT NULL CONSTRAINT uq_seasons_year UNIQUE,
        first_year varchar(4) NOT NULL,
        second_year varchar(4)
      )`);
    await q.query(`CREATE INDEX idx_seasons_first_year ON seasons (first_year)`);
    await q.query(`CREATE INDEX idx_seasons_second_year ON seasons (second_year)`);

    await q.query(`
      CREATE TABLE kit_types (
        id bigserial PRIMARY KEY,
        name varchar(100) NOT NULL,
        category varchar(20) NOT NULL DEFAULT 'match',
        category_order integer NOT NULL DEFAULT 1,
        order_priority integer NOT NULL DEFAULT 999,
        is_goalkeeper boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX idx_kit_types_category ON kit_types (category)`);
    await q.query(
      `CREATE INDEX idx_kit_types_order ON kit_types (category_order, is_goalkeeper, order_priority)`,
    );
    await q.query(
      `CREATE INDEX idx_kit_types_category_order ON kit_types (category, is_goalkeeper, order_priority)`,
    );

    for (const table of ['competitions', 'clubs', 'brands']) {
      const nameLength = table === 'clubs' ? 500 : 100;
      const extra =
        table === 'clubs'
          ? ', id_fka integer, country char(2)'
          : table === 'competitions'
            ? ', country char(2)'
            : '';
      await q.query(`
        CREATE TABLE ${table} (
          id bigserial PRIMARY KEY,
          name varchar(${nameLength}) NOT NULL,
          slug varchar(150) NOT NULL CONSTRAINT uq_${table}_slug UNIQUE,
          logo varchar(200),
          logo_dark varchar(200)${extra}
        )`);
      await q.query(`CREATE INDEX idx_${table}_name ON ${table} (name)`);
      await q.query(
        `CREATE INDEX idx_${table}_name_trgm ON ${table} USING gin (fkapi_unaccent(lower(name)) gin_trgm_ops)`,
      );
      await q.query(`CREATE INDEX idx_${table}_slug_trgm ON ${table} USING gin (slug gin_trgm_ops)`);
      if (table !== 'brands') await q.query(`CREATE INDEX idx_${table}_country ON ${table} (country)`);
    }

    await q.query(`
      CREATE TABLE kits (
        id bigserial PRIMARY KEY,
        name varchar(100) NOT NULL,
        slug varchar(150) NOT NULL CONSTRAINT uq_kits_slug UNIQUE,
        kit_id varchar(20),
        team_id bigint NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
        season_id bigint NOT NULL REFERENCES seasons (id) ON DELETE CASCADE,
        type_id bigint NOT NULL REFERENCES kit_types (id) ON DELETE CASCADE,
        brand_id bigint NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
        main_img_url varchar(200) NOT NULL,
        rating numeric(3, 2) NOT NULL DEFAULT 0,
        fh_link varchar(200),
        web_updated timestamptz,
        last_updated timestamptz NOT NULL DEFAULT now(),
        primary_color_id bigint REFERENCES colors (id) ON DELETE SET NULL,
        design varchar(100)
      )`);
    await q.query(`CREATE INDEX idx_kits_name ON kits (name)`);
    await q.query(
      `CREATE INDEX idx_kits_name_trgm ON kits USING gin (fkapi_unaccent(lower(name)) gin_trgm_ops)`,
    );
    await q.query(`CREATE INDEX idx_kits_team_season ON kits (team_id, season_id)`);
    await q.query(`CREATE INDEX idx_kits_season ON kits (season_id)`);
    await q.query(`CREATE INDEX idx_kits_type ON kits (type_id)`);
    await q.query(`CREATE INDEX idx_kits_brand ON kits (brand_id)`);
    await q.query(`CREATE INDEX idx_kits_primary_color ON kits (primary_color_id)`);
    await q.query(`CREATE INDEX idx_kits_web_updated ON kits (web_updated)`);
    await q.query(`CREATE INDEX idx_kits_last_updated ON kits (last_updated)`);
    await q.query(`CREATE INDEX idx_kits_rating ON kits (rating)`);

    await q.query(`
      CREATE TABLE kit_competitions (
        kit_id bigint NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
        competition_id bigint NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
        PRIMARY KEY (kit_id, competition_id)
      )`);
    await q.query(`CREATE INDEX idx_kit_competitions_competition ON kit_competitions (competition_id)`);
    await q.query(`
      CREATE TABLE kit_secondary_colors (
        kit_id bigint NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
        color_id bigint NOT NULL REFERENCES colors (id) ON DELETE CASCADE,
        PRIMARY KEY (kit_id, color_id)
      )`);
    await q.query(`CREATE INDEX idx_kit_secondary_colors_color ON kit_secondary_colors (color_id)`);

    // The colour seed of the original's initial migration: these names are the API's filter values.
    await q.query(`
      INSERT INTO colors (name, color) VALUES
        ('White', '#FFFFFF'), ('Red', '#FF0000'), ('Blue', '#0000FF'), ('Black', '#000000'),
        ('Yellow', '#FFFF00'), ('Green', '#008000'), ('Sky blue', '#87CEEB'), ('Navy', '#000080'),
        ('Orange', '#FFA500'), ('Gray', '#808080'), ('Claret', '#7F1734'), ('Purple', '#800080'),
        ('Pink', '#FFC0CB'), ('Brown', '#964B00'), ('Gold', '#BFAB40'), ('Silver', '#C0C0C0'),
        ('Off-white', '#F5F5F5')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'kit_secondary_colors',
      'kit_competitions',
      'kits',
      'brands',
      'clubs',
      'competitions',
      'kit_types',
      'seasons',
      'variations',
      'colors',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS fkapi_unaccent(text)`);
  }
}
