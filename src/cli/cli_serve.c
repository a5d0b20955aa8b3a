/* cli_serve.c - `kechuang serve`: the web UI and the API over HTTP. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/eligibility/ruleset.h"
#include "domain/io/import.h"
#include "domain/jobs/job.h"
#include "http/app.h"
#include "http/http.h"
#include "http/http_mhd.h"

#define SERVE_THREADS_MAX 256

static void serve_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang serve [选项]\n\n"
        "启动网页和 API 服务，直到收到 Ctrl-C（SIGINT）或 SIGTERM。\n\n"
        "选项（括号内为配置文件中的对应项）:\n"
        "  --listen 地址       监听地址，默认 127.0.0.1:8080；IPv6 写作 "
        "[::1]:8080，\n"
        "                      :8080 表示所有地址（listen）\n"
        "  --threads N         工作线程数，0 或不指定为 CPU 核数（threads）\n"
        "  --access-log 文件   访问日志追加写入该文件，\"-\" "
        "为标准输出；默认不记录\n"
        "                      （access_log）\n"
        "  --secure-cookies    会话 Cookie 加 Secure 标志，经 HTTPS "
        "反向代理提供服务时使用\n"
        "                      （secure_cookies = 1）\n"
        "  --trust-proxy       从 X-Forwarded-For 取客户端地址，"
        "仅在可信反向代理之后使用\n"
        "                      （trust_proxy = 1）\n"
        "  --session-hours N   会话空闲时限（小时），默认 12"
        "（session_hours）\n"
        "  --rules-dir 目录    从该目录加载规则文件（*.kcr），同编号的替换内置"
        "规则集\n"
        "                      （rules_dir）；收到 SIGHUP 或调用 POST "
        "/api/v1/rulesets/reload\n"
        "                      时重新加载，有错误则保留原有规则\n"
        "  --help              显示本帮助\n\n"
        "数据库必须已由 kechuang init 初始化并升级到本程序的结构版本。\n");
}

/* Parse a decimal int in [min, max]; -1 when it is not one. */
static int serve_parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Is the database at loc present and at this binary's schema version?
 * ERR_INVALID with a message that points at `kechuang init` otherwise. */
static int serve_check_db(const char *loc, Err *e)
{
    Db *db = NULL;
    int version = 0;
    int latest = db_schema_latest();
    int rc;

    if (strncmp(loc, "postgres", 8) != 0 && access(loc, F_OK) != 0) {
        rc = err_set(e, ERR_INVALID, "db",
                     "数据库 %s 不存在，请先运行 kechuang init", loc);
        goto out;
    }
    rc = db_open(&db, loc, e);
    if (rc) {
        goto out;
    }
    rc = db_schema_version(db, &version, e);
    if (rc) {
        goto out;
    }
    if (version == 0) {
        rc = err_set(e, ERR_INVALID, "db",
                     "数据库 %s 尚未初始化，请先运行 kechuang init", loc);
    } else if (version < latest) {
        rc = err_set(e, ERR_INVALID, "db",
                     "数据库结构版本为 %d，低于本程序的 %d，请先运行 "
                     "kechuang init 升级",
                     version, latest);
    } else if (version > latest) {
        rc = err_set(e, ERR_INVALID, "db",
                     "数据库结构版本 %d 比本程序（%d）新，请换用新版本的 "
                     "kechuang",
                     version, latest);
    } else {
        rc = job_recover(db, e);
    }
    if (rc == 0) {
        /* uploads of jobs that ended or expired while the server was down */
        import_stage_sweep(db, loc);
    }
out:
    db_close(db);
    return rc;
}

/* The import limits from the configuration (docs/admin.md); 0 when all
 * given values are valid. */
static int serve_import_limits(void)
{
    static const struct {
        const char *key;
        int max;
    } keys[] = {{"import_upload_hours", 24 * 365},
                {"import_user_uploads", 1000},
                {"import_user_mb", 1024 * 1024},
                {"import_total_uploads", 100000},
                {"import_total_mb", 1024 * 1024},
                {"import_disk_reserve_mb", 1024 * 1024}};
    int v[6] = {0};
    ImportLimits l;
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = cli_config_get(keys[i].key);
        if (*s && serve_parse_int(s, 1, keys[i].max, &v[i]) != 0) {
            fprintf(stderr, "kechuang serve: 配置项 %s 应为 1 到 %d 的整数\n",
                    keys[i].key, keys[i].max);
            return -1;
        }
    }
    memset(&l, 0, sizeof l);
    l.upload_hours = v[0];
    l.user_uploads = v[1];
    l.user_bytes = (int64_t)v[2] << 20;
    l.total_uploads = v[3];
    l.total_bytes = (int64_t)v[4] << 20;
    l.disk_reserve = (int64_t)v[5] << 20;
    import_limits_set(&l);
    return 0;
}

/* Load the rules directory at start; every error goes to stderr. */
static int serve_load_rules(const char *dir)
{
    Buf errors;
    Err e;
    int rc;

    err_clear(&e);
    buf_init(&errors, (size_t)256 * 1024);
    rc = ruleset_load_dir(dir, &errors, &e);
    if (rc != 0) {
        fprintf(stderr, "kechuang serve: 规则目录 %s 有错误，未启动：\n%s", dir,
                errors.data && errors.data[0] ? errors.data : "");
        if (!errors.data || !errors.data[0]) {
            fprintf(stderr, "%s\n", e.msg);
        }
    }
    buf_release(&errors);
    return rc;
}

/* SIGHUP: read the rules directory again; on errors keep the rules in
 * force and log every error. */
static void serve_reload_rules(void)
{
    Buf errors;
    Err e;

    err_clear(&e);
    buf_init(&errors, (size_t)256 * 1024);
    if (ruleset_reload(&errors, &e) != 0) {
        log_error("rules reload refused: %s", e.msg);
        if (errors.data && errors.data[0]) {
            log_error("%s", errors.data);
        }
    } else {
        log_info("rules reloaded: generation %d",
                 ruleset_current()->generation);
    }
    buf_release(&errors);
}

/* The address to show in "正在监听 http://…/". */
static void serve_url(char *out, size_t cap, const char *listen, int port)
{
    const char *colon;

    if (listen[0] == '[') {
        const char *rb = strchr(listen, ']');
        snprintf(out, cap, "http://%.*s:%d/", (int)(rb - listen + 1), listen,
                 port);
        return;
    }
    colon = strrchr(listen, ':');
    if (!colon || colon == listen) {
        snprintf(out, cap, "http://0.0.0.0:%d/（所有地址）", port);
        return;
    }
    snprintf(out, cap, "http://%.*s:%d/", (int)(colon - listen), listen, port);
}

int cli_serve_main(int argc, char **argv, const char *db_location)
{
    App app;
    HttpServer *srv = NULL;
    Err e;
    const char *listen = cli_config_get("listen");
    const char *log_path = cli_config_get("access_log");
    const char *rules_dir = cli_config_get("rules_dir");
    const char *v;
    char url[300];
    sigset_t sigs;
    int threads = 0;
    int sig = 0;
    int i;
    int rc = 1;

    err_clear(&e);
    memset(&app, 0, sizeof app);
    app.session_hours = 12;
    app.routes = api_routes;
    app.secure_cookies = strcmp(cli_config_get("secure_cookies"), "1") == 0;
    app.trust_proxy = strcmp(cli_config_get("trust_proxy"), "1") == 0;
    if (!*listen) {
        listen = "127.0.0.1:8080";
    }
    v = cli_config_get("threads");
    if (*v && serve_parse_int(v, 0, SERVE_THREADS_MAX, &threads) != 0) {
        fprintf(stderr, "kechuang serve: 配置项 threads 应为 0 到 %d 的整数\n",
                SERVE_THREADS_MAX);
        return 2;
    }
    v = cli_config_get("session_hours");
    if (*v && serve_parse_int(v, 1, 24 * 365, &app.session_hours) != 0) {
        fprintf(stderr, "kechuang serve: 配置项 session_hours 无效\n");
        return 2;
    }
    if (serve_import_limits() != 0) {
        return 2;
    }
    v = cli_config_get("job_lease_seconds");
    if (*v) {
        int lease = 0;
        if (serve_parse_int(v, JOB_LEASE_MIN, JOB_LEASE_MAX, &lease) != 0) {
            fprintf(stderr,
                    "kechuang serve: 配置项 job_lease_seconds 应为 %d 到 %d "
                    "的整数\n",
                    JOB_LEASE_MIN, JOB_LEASE_MAX);
            return 2;
        }
        job_set_lease_seconds(lease);
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            serve_usage(stdout);
            return 0;
        } else if (strcmp(a, "--secure-cookies") == 0) {
            app.secure_cookies = 1;
        } else if (strcmp(a, "--trust-proxy") == 0) {
            app.trust_proxy = 1;
        } else if (strcmp(a, "--listen") == 0 && next) {
            listen = next;
            i++;
        } else if (strcmp(a, "--rules-dir") == 0 && next) {
            rules_dir = next;
            i++;
        } else if (strcmp(a, "--access-log") == 0 && next) {
            log_path = next;
            i++;
        } else if (strcmp(a, "--threads") == 0 && next) {
            if (serve_parse_int(next, 0, SERVE_THREADS_MAX, &threads) != 0) {
                fprintf(stderr,
                        "kechuang serve: --threads 应为 0 到 %d 的整数\n",
                        SERVE_THREADS_MAX);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--session-hours") == 0 && next) {
            if (serve_parse_int(next, 1, 24 * 365, &app.session_hours) != 0) {
                fprintf(stderr, "kechuang serve: --session-hours 无效\n");
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "kechuang serve: 未知选项或缺少参数：%s\n\n", a);
            serve_usage(stderr);
            return 2;
        }
    }
    if (strlen(db_location) >= sizeof app.db_location) {
        fprintf(stderr, "kechuang serve: 数据库路径过长\n");
        return 2;
    }
    memcpy(app.db_location, db_location, strlen(db_location) + 1);

    if (*rules_dir && serve_load_rules(rules_dir) != 0) {
        goto out;
    }
    /* The workers inherit this mask, so only sigwait below sees the
     * signals; set before start-up recovery, which may start workers. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    /* the kinds start-up recovery and the lease keeper run again when the
     * instance that ran them stopped (api/job_kinds.c) */
    job_set_kinds(api_job_kinds);
    if (serve_check_db(db_location, &e) != 0) {
        fprintf(stderr, "kechuang serve: %s\n", e.msg);
        goto out;
    }
    if (*log_path) {
        if (strcmp(log_path, "-") == 0) {
            app.access_log = stdout;
        } else {
            app.access_log = fopen(log_path, "a");
            if (!app.access_log) {
                fprintf(stderr, "kechuang serve: 无法打开访问日志 %s：%s\n",
                        log_path, strerror(errno));
                goto out;
            }
            setvbuf(app.access_log, NULL, _IOFBF, (size_t)64 * 1024);
        }
    }

    if (http_server_start(&srv, &app, listen, threads, &e) != 0) {
        fprintf(stderr, "kechuang serve: %s\n", e.msg);
        if (e.code == ERR_INVALID) {
            rc = 2; /* a malformed --listen is a usage error */
        }
        goto out;
    }
    /* leases of this instance's jobs; takes over those of stopped ones and
     * runs them again */
    if (job_keeper_start(db_location, &e) != 0) {
        fprintf(stderr, "kechuang serve: %s\n", e.msg);
        goto out;
    }
    serve_url(url, sizeof url, listen, http_server_port(srv));
    printf("kechuang 正在监听 %s\n", url);
    fflush(stdout);
    log_info("serving %s on %s", db_location, listen);

    for (;;) {
        if (sigwait(&sigs, &sig) != 0) {
            sig = 0;
        }
        if (sig != SIGHUP) {
            break;
        }
        serve_reload_rules();
    }
    log_info("signal %d: stopping", sig);
    http_server_stop(srv);
    srv = NULL;
    job_wait_all(1); /* running jobs roll back and end cancelled */
    job_keeper_stop();
    fprintf(stderr, "kechuang 已停止\n");
    rc = 0;
out:
    http_server_stop(srv);
    job_keeper_stop();
    if (app.access_log && app.access_log != stdout) {
        fclose(app.access_log);
    } else if (app.access_log) {
        fflush(stdout);
    }
    return rc;
}
