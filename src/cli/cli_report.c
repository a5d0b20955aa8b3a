/* cli_report.c - `kechuang report KIND ...`: the quarterly report of a
 * plan (cli_plan.c) and the technology-contract statistics
 * (cli_market.c). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void report_usage(FILE *out)
{
    fprintf(out, "用法: kechuang report quarter --plan ID --quarter 2022Q3 "
                 "[--format table|json|html|xlsx] [-o FILE]\n"
                 "      kechuang report contracts --year Y [...]\n"
                 "每种报告的选项见 kechuang report KIND --help。\n");
}

int cli_report_main(int argc, char **argv, const char *db_location)
{
    if (argc > 1 && strcmp(argv[1], "quarter") == 0) {
        return cli_report_quarter_main(argc, argv, db_location);
    }
    if (argc > 1 && strcmp(argv[1], "contracts") == 0) {
        return cli_report_contracts_main(argc, argv, db_location);
    }
    if (argc > 1 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        report_usage(stdout);
        return 0;
    }
    report_usage(stderr);
    return 2;
}
