/* cli.h - the subcommands of `kechuang`. Each takes the arguments after
 * the command name (argv[0] is the command name) and the database location
 * chosen by main (--db, KECHUANG_DB, the config file, else ./kechuang.db).
 * Exit status: 0 done, 1 failed (zh-CN message on stderr), 2 usage error. */
#ifndef KC_CLI_CLI_H
#define KC_CLI_CLI_H

#include <jansson.h>

int cli_init_main(int argc, char **argv, const char *db_location);
int cli_serve_main(int argc, char **argv, const char *db_location);
int cli_http_main(int argc, char **argv, const char *db_location);
int cli_user_main(int argc, char **argv, const char *db_location);
int cli_audit_main(int argc, char **argv, const char *db_location);
int cli_demo_main(int argc, char **argv, const char *db_location);
int cli_backup_main(int argc, char **argv, const char *db_location);
int cli_migrate_main(int argc, char **argv, const char *db_location);
int cli_rules_main(int argc, char **argv, const char *db_location);
int cli_import_main(int argc, char **argv, const char *db_location);
/* `kechuang import qualifications` (cli_qual.c) */
int cli_qual_import_main(int argc, char **argv, const char *db_location);
int cli_export_main(int argc, char **argv, const char *db_location);
int cli_evaluate_main(int argc, char **argv, const char *db_location);
int cli_snapshot_main(int argc, char **argv, const char *db_location);
int cli_policy_main(int argc, char **argv, const char *db_location);
/* `report quarter` (cli_plan.c) and `report contracts` (cli_market.c),
 * dispatched by cli_report_main (cli_report.c). */
int cli_report_main(int argc, char **argv, const char *db_location);
int cli_report_quarter_main(int argc, char **argv, const char *db_location);
int cli_report_contracts_main(int argc, char **argv, const char *db_location);
/* `import plan-targets|plan-tasks` (cli_plan.c); argv[1] is the kind. */
int cli_plan_import_main(int argc, char **argv, const char *db_location);
int cli_carrier_main(int argc, char **argv, const char *db_location);
/* cli_market.c: `report contracts` and `import contracts` */
int cli_market_import(int argc, char **argv, const char *db_location);

/* Print a screening's counts ({rulesets: {id: {verdict code: n}}}, as
 * elig_screen returns them): one line per rule set, "id： 达标 n …". */
void cli_print_screen_counts(const json_t *counts);

/* Settings read from the config file (key = value lines), for commands
 * that want them; values are "" when absent. */
const char *cli_config_get(const char *key);

#endif
