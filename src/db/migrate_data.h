/* migrate_data.h - the migrations embedded by tools/embed.c. */
#ifndef KC_DB_MIGRATE_DATA_H
#define KC_DB_MIGRATE_DATA_H

typedef struct KcMigration {
    int version;      /* NNN from the file name */
    const char *name; /* NNN_name without .sql */
    const char *sql;
} KcMigration;

extern const KcMigration kc_migrations[]; /* ends with {0, 0, 0} */
extern const int kc_n_migrations;
/* PostgreSQL versions of some migrations (src/db/sql/pg/NNN_name.sql,
 * same numbers; the others are translated): sparse, in order. */
extern const KcMigration kc_pg_migrations[];
extern const int kc_n_pg_migrations;

#endif
