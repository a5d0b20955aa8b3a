#!/usr/bin/env python3
"""gen_plan_counts.py - writes src/db/sql/026_plan_counts.sql and
src/db/sql/pg/026_plan_counts.sql (docs/internals/plan_counts.md), and
migration 027 (src/db/sql/027_plan_counts_pg.sql, a no-op on SQLite, and
src/db/sql/pg/027_plan_counts_pg.sql: the PL/pgSQL functions' plans).

The statements repeat one interval query several times (SQLite allows no
WITH in a trigger), so they are generated here from one definition:

    python3 tools/gen_plan_counts.py

Keys: YYYYMMDD * 2 for a day from which an event applies (a start, an
exclusive end), YYYYMMDD * 2 + 1 for an inclusive end (applies from the
next day). A figure on D sums n over k <= YYYYMMDD(D) * 2."""
import os


def ymd(x):
    return f"CAST(replace({x}, '-', '') AS INTEGER)"


def retk(x):
    return f"{ymd(f'substr({x}, 1, 10)')} * 2"


def ivals(src, extra=None):
    """Non-empty key intervals [a, b) (b NULL: open) of the qualifications
    selected by src ("FROM ... WHERE ..." giving q.* and rk, the
    enterprise's retirement key), with extra (a SELECT of id, kind, a, t,
    x, rk) added."""
    s = (f"SELECT q.id, q.kind, {ymd('q.valid_from')} * 2 AS a, "
         f"{ymd('q.valid_to')} * 2 + 1 AS t, {ymd('q.ended_on')} * 2 AS x, "
         f"rk {src}")
    if extra:
        s += " UNION ALL " + extra
    s = (f"SELECT id, kind, a, rk, CASE WHEN t IS NULL THEN x WHEN x IS NULL "
         f"OR t < x THEN t ELSE x END AS m FROM ({s}) s1")
    s = (f"SELECT id, kind, a, CASE WHEN rk IS NULL THEN m WHEN m IS NULL OR "
         f"rk < m THEN rk ELSE m END AS b FROM ({s}) s2")
    return f"(SELECT id, kind, a, b FROM ({s}) s3 WHERE b IS NULL OR a < b)"


def cover(S):
    """Events (kind, k, d) of the union of the intervals S, by kind."""
    return (
        f"SELECT r.kind, r.a AS k, 1 AS d FROM {S} r WHERE NOT EXISTS "
        f"(SELECT 1 FROM {S} o WHERE o.kind = r.kind AND o.id <> r.id AND "
        f"o.a <= r.a AND (o.b IS NULL OR o.b >= r.a) AND "
        f"(o.a < r.a OR o.id < r.id)) "
        f"UNION ALL SELECT r.kind, r.b, -1 FROM {S} r WHERE r.b IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {S} o WHERE o.kind = r.kind AND "
        f"o.id <> r.id AND o.a <= r.b AND (o.b IS NULL OR o.b > r.b OR "
        f"(o.b = r.b AND o.id < r.id)))")


UPSERT = ("ON CONFLICT (src, kind, unit_id, k) DO UPDATE SET "
          "n = plan_counts.n + excluded.n;\n")


def qual_delta(after, before, unit_after, unit_before, cond=None):
    c = f" AND {cond}" if cond else ""
    return ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
            "SELECT 'qual', kind, unit_id, k, SUM(d) FROM (\n"
            f"    SELECT kind, k, d, {unit_after} AS unit_id FROM (\n"
            f"        {cover(after)}) c1\n"
            "    UNION ALL\n"
            f"    SELECT kind, k, -d, {unit_before} AS unit_id FROM (\n"
            f"        {cover(before)}) c2\n"
            f") z WHERE unit_id IS NOT NULL{c}\n"
            "GROUP BY kind, unit_id, k HAVING SUM(d) <> 0\n" + UPSERT)


def of_ent(ent, kind=None, excl=None, rk=None):
    s = (f"FROM qualifications q JOIN (SELECT id, "
         f"{rk or retk('retired_at')} AS rk FROM enterprises) en "
         f"ON en.id = q.enterprise_id WHERE q.enterprise_id = {ent}")
    if kind:
        s += f" AND q.kind = {kind}"
    if excl:
        s += f" AND q.id <> {excl}"
    return s


def unit_of(ent):
    return f"(SELECT unit_id FROM enterprises WHERE id = {ent})"


NEWROW = (f"SELECT COALESCE(NEW.id, -1), NEW.kind, "
          f"{ymd('NEW.valid_from')} * 2, {ymd('NEW.valid_to')} * 2 + 1, "
          f"{ymd('NEW.ended_on')} * 2, "
          f"(SELECT {retk('retired_at')} FROM enterprises "
          f"WHERE id = NEW.enterprise_id)")

q_ins = qual_delta(
    ivals(of_ent("NEW.enterprise_id", "NEW.kind"), NEWROW),
    ivals(of_ent("NEW.enterprise_id", "NEW.kind")),
    unit_of("NEW.enterprise_id"), unit_of("NEW.enterprise_id"))
q_del = qual_delta(
    ivals(of_ent("OLD.enterprise_id", "OLD.kind", "OLD.id")),
    ivals(of_ent("OLD.enterprise_id", "OLD.kind")),
    unit_of("OLD.enterprise_id"), unit_of("OLD.enterprise_id"))
q_upd_new = qual_delta(
    ivals(of_ent("NEW.enterprise_id", "NEW.kind", "OLD.id"), NEWROW),
    ivals(of_ent("NEW.enterprise_id", "NEW.kind")),
    unit_of("NEW.enterprise_id"), unit_of("NEW.enterprise_id"))
q_upd_old = qual_delta(
    ivals(of_ent("OLD.enterprise_id", "OLD.kind", "OLD.id")),
    ivals(of_ent("OLD.enterprise_id", "OLD.kind")),
    unit_of("OLD.enterprise_id"), unit_of("OLD.enterprise_id"),
    cond="(OLD.enterprise_id <> NEW.enterprise_id OR OLD.kind <> NEW.kind)")
e_upd = qual_delta(
    ivals(of_ent("NEW.id", rk=retk("NEW.retired_at"))),
    ivals(of_ent("NEW.id", rk=retk("OLD.retired_at"))),
    "NEW.unit_id", "OLD.unit_id")

PAT_OK = ("{p}.kind = 'invention' AND {p}.retired_at IS NULL AND "
          "{p}.status = 'valid' AND {p}.granted_on IS NOT NULL AND "
          "({p}.expires_on IS NULL OR {p}.expires_on >= {p}.granted_on)")


def pat_events(p, sign, unit, ent_ok, frm):
    ok = PAT_OK.format(p=p)
    return (f"SELECT {unit} AS unit_id, {ymd(p + '.granted_on')} * 2 AS k, "
            f"{sign} AS d {frm} {ok} AND {ent_ok}\n"
            f"    UNION ALL SELECT {unit}, {ymd(p + '.expires_on')} * 2 + 1, "
            f"{-sign} {frm} {ok} AND {ent_ok} AND {p}.expires_on IS NOT NULL")


def pat_delta(parts):
    return ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
            "SELECT 'ip_invention', '', unit_id, k, SUM(d) FROM (\n    " +
            "\n    UNION ALL ".join(parts) +
            "\n) z WHERE unit_id IS NOT NULL GROUP BY unit_id, k "
            "HAVING SUM(d) <> 0\n" + UPSERT)


def ent_ok(ent):
    return f"(SELECT retired_at FROM enterprises WHERE id = {ent}) IS NULL"


p_ins = pat_delta([pat_events("NEW", 1, unit_of("NEW.enterprise_id"),
                              ent_ok("NEW.enterprise_id"), "WHERE")])
p_del = pat_delta([pat_events("OLD", -1, unit_of("OLD.enterprise_id"),
                              ent_ok("OLD.enterprise_id"), "WHERE")])
p_upd = pat_delta([
    pat_events("NEW", 1, unit_of("NEW.enterprise_id"),
               ent_ok("NEW.enterprise_id"), "WHERE"),
    pat_events("OLD", -1, unit_of("OLD.enterprise_id"),
               ent_ok("OLD.enterprise_id"), "WHERE")])
PFROM = "FROM ip_rights p WHERE p.enterprise_id = NEW.id AND"
p_ent = pat_delta([
    pat_events("p", 1, "NEW.unit_id", "NEW.retired_at IS NULL", PFROM),
    pat_events("p", -1, "OLD.unit_id", "OLD.retired_at IS NULL", PFROM)])

# backfill: the union's events of every (enterprise, kind), every patent's
S_ALL = ivals("FROM qualifications q JOIN (SELECT id, "
              f"{retk('retired_at')} AS rk FROM enterprises) en "
              "ON en.id = q.enterprise_id WHERE q.enterprise_id = "
              "r.enterprise_id AND q.kind = r.kind")
R_ALL = (f"(SELECT q.id, q.enterprise_id, q.kind, en.unit_id, "
         f"{ymd('q.valid_from')} * 2 AS a, b FROM qualifications q JOIN "
         f"enterprises en ON en.id = q.enterprise_id JOIN "
         + ivals("FROM qualifications q JOIN (SELECT id, "
                 f"{retk('retired_at')} AS rk FROM enterprises) en ON "
                 "en.id = q.enterprise_id WHERE true")
         + " iv ON iv.id = q.id)")
bf_q = ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
        "SELECT 'qual', kind, unit_id, k, SUM(d) FROM (\n"
        f"    SELECT r.kind, r.unit_id, r.a AS k, 1 AS d FROM {R_ALL} r\n"
        f"    WHERE NOT EXISTS (SELECT 1 FROM {S_ALL} o WHERE o.id <> r.id "
        "AND o.a <= r.a AND (o.b IS NULL OR o.b >= r.a) AND "
        "(o.a < r.a OR o.id < r.id))\n"
        "    UNION ALL\n"
        f"    SELECT r.kind, r.unit_id, r.b, -1 FROM {R_ALL} r WHERE "
        f"r.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {S_ALL} o WHERE "
        "o.id <> r.id AND o.a <= r.b AND (o.b IS NULL OR o.b > r.b OR "
        "(o.b = r.b AND o.id < r.id)))\n"
        ") z WHERE true GROUP BY kind, unit_id, k HAVING SUM(d) <> 0;\n")
# bulk writes (030): the union's events of the (enterprise, kind) pairs in
# plan_counts_touch only, subtracted before the write and added after it
# CROSS JOIN: SQLite keeps the order (the few listed pairs first, then
# their rows by qualifications_ent), whatever it guesses of the table; on
# PostgreSQL it is a plain inner join
T_SRC = ("FROM plan_counts_touch tt CROSS JOIN qualifications q CROSS JOIN "
         f"(SELECT id, {retk('retired_at')} AS rk FROM enterprises) en "
         "WHERE q.enterprise_id = tt.enterprise_id AND q.kind = tt.kind AND "
         "en.id = q.enterprise_id")
R_T = (f"(SELECT iv.id, q.enterprise_id, iv.kind, en.unit_id, iv.a, iv.b "
       f"FROM {ivals(T_SRC)} iv CROSS JOIN qualifications q CROSS JOIN "
       "enterprises en WHERE q.id = iv.id AND en.id = q.enterprise_id)")


# Outside a trigger WITH and window functions are allowed: the union's
# events of each (enterprise, kind) in one sorted pass instead of the
# pairwise NOT EXISTS. Rows in (a, id) order; a row starts a new piece of
# the union when no earlier row's end (open = OPEN_END) reaches its start
# (the trigger's "covers or touches it from the left, ties by id"); a
# piece gives +1 at its first start and -1 at its largest end unless open
# (no row carries on past it: the next piece starts after it).
OPEN_END = 999999999


def union_q(R, sign, upsert):
    w = ("PARTITION BY enterprise_id, kind ORDER BY a, id")
    return (
        "WITH w1 AS (SELECT id, enterprise_id, kind, unit_id, a, "
        f"COALESCE(b, {OPEN_END}) AS bb FROM {R} r0),\n"
        "w2 AS (SELECT enterprise_id, kind, unit_id, a, bb, CASE WHEN "
        f"MAX(bb) OVER ({w} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 "
        "PRECEDING) >= a THEN 0 ELSE 1 END AS f, id FROM w1),\n"
        "w3 AS (SELECT enterprise_id, kind, unit_id, a, bb, SUM(f) OVER "
        f"({w} ROWS UNBOUNDED PRECEDING) AS g FROM w2),\n"
        "w4 AS (SELECT kind, unit_id, MIN(a) AS s, MAX(bb) AS t FROM w3 "
        "GROUP BY enterprise_id, kind, unit_id, g)\n"
        "INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
        f"SELECT 'qual', kind, unit_id, k, {sign}SUM(d) FROM (\n"
        "    SELECT kind, unit_id, s AS k, 1 AS d FROM w4\n"
        f"    UNION ALL SELECT kind, unit_id, t, -1 FROM w4 WHERE t < "
        f"{OPEN_END}\n"
        ") z WHERE true GROUP BY kind, unit_id, k HAVING SUM(d) <> 0" +
        ("\n" + UPSERT.rstrip(";\n") if upsert else ""))


def touched_q(sign):
    return union_q(R_T, sign, True)


PJ = "FROM ip_rights p JOIN enterprises en ON en.id = p.enterprise_id WHERE"
bf_p = ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
        "SELECT 'ip_invention', '', unit_id, k, SUM(d) FROM (\n    " +
        pat_events("p", 1, "en.unit_id", "en.retired_at IS NULL", PJ) +
        "\n) z WHERE true GROUP BY unit_id, k HAVING SUM(d) <> 0;\n")

# technology contracts' 成交额 (MARKET_CONV_DEFAULT: amount of the contracts
# registered in the period, by the contract's unit): one event per row, n =
# the amount, on the registration day
C_OK = "{c}.status = 'registered'"


def con_events(c, sign, frm):
    return (f"SELECT {c}.unit_id AS unit_id, {ymd(c + '.registered_on')} * 2 "
            f"AS k, {sign} * {c}.amount AS d {frm} {C_OK.format(c=c)}")


def con_delta(parts):
    return ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
            "SELECT 'contract_amount', '', unit_id, k, SUM(d) FROM (\n    " +
            "\n    UNION ALL ".join(parts) +
            "\n) z WHERE unit_id IS NOT NULL GROUP BY unit_id, k "
            "HAVING SUM(d) <> 0\n" + UPSERT)


c_ins = con_delta([con_events("NEW", 1, "WHERE")])
c_del = con_delta([con_events("OLD", -1, "WHERE")])
c_upd = con_delta([con_events("NEW", 1, "WHERE"), con_events("OLD", -1, "WHERE")])
bf_c = ("INSERT INTO plan_counts (src, kind, unit_id, k, n)\n"
        "SELECT 'contract_amount', '', unit_id, k, SUM(d) FROM (\n    " +
        con_events("c", 1, "FROM contracts c WHERE") +
        "\n) z WHERE true GROUP BY unit_id, k HAVING SUM(d) <> 0;\n")
C_COLS = "status, amount, registered_on, unit_id"

HEAD = """-- 026_plan_counts.sql - counts kept for the plan figures read from the
-- registers (docs/internals/plan_counts.md): enterprises holding a valid
-- qualification of a kind (plan_count_quals: QUAL_VALID_ON, enterprise not
-- retired by the date) and valid invention patents (plan_count_patents),
-- as +1 / -1 events per (source, kind, org unit, key); the 技术合同成交额
-- (market_indicator_contract_amount's default convention) as the amounts
-- of registered contracts per (unit, registration day). A count on date D
-- for a unit is the sum of n over k <= YYYYMMDD(D) * 2 for the units under
-- it (an amount over a period, over the keys of its days): thousands of
-- rows instead of millions.
--
-- Keys: a start (valid_from, granted_on) or an exclusive end (ended_on,
-- the enterprise's retirement day) is YYYYMMDD * 2; an inclusive end
-- (valid_to, expires_on) is YYYYMMDD * 2 + 1 (it applies from the next
-- day), so no date arithmetic is needed in SQL.
--
-- A qualification figure counts enterprises (COUNT DISTINCT), so the
-- events are those of the union of one enterprise's intervals of a kind:
-- a start that no other interval covers or touches from the left, an end
-- that no other interval carries on. Triggers keep the events in the
-- writing transaction, whatever path writes: before a qualification is
-- written, the events of its (enterprise, kind) after the write minus
-- those before it are added; a patent adds or removes its own two events;
-- an enterprise whose unit or retirement changes moves its events.
-- Generated by tools/gen_plan_counts.py (change that, then regenerate).
"""
TABLE = """CREATE TABLE plan_counts (
    src TEXT NOT NULL,        -- qual / ip_invention / contract_amount
    kind TEXT NOT NULL,       -- the qualification's tier code; '' for patents
    unit_id INTEGER NOT NULL, -- the enterprise's org unit
    k INTEGER NOT NULL,       -- YYYYMMDD * 2, + 1 for an inclusive end
    n INTEGER NOT NULL,       -- change of the count (amount, 元) from k on
    PRIMARY KEY (src, kind, unit_id, k)
);

-- the counts of the rows already written
"""
Q_COLS = "enterprise_id, kind, valid_from, valid_to, ended_on"
P_COLS = "enterprise_id, kind, status, granted_on, expires_on, retired_at"


def ind(s, n=4):
    p = " " * n
    return p + s.rstrip().replace("\n", "\n" + p) + "\n"


def sq_when(cond, guard):
    """A SQLite trigger's WHEN line (cond and / or the bulk guard)."""
    if not guard:
        return f"    WHEN {cond}\n" if cond else ""
    if not cond:
        return f"    WHEN {guard}\n"
    return f"    WHEN ({cond})\n        AND {guard}\n"


def sqlite_triggers(guard=None):
    out = []
    out.append("CREATE TRIGGER plan_counts_qual_bi BEFORE INSERT ON "
               "qualifications\n" + sq_when(None, guard) + "BEGIN\n" +
               ind(q_ins) + "END;\n\n")
    out.append(f"CREATE TRIGGER plan_counts_qual_bu BEFORE UPDATE OF\n    "
               f"{Q_COLS} ON qualifications\n" + sq_when(None, guard) +
               "BEGIN\n" + ind(q_upd_new) + ind(q_upd_old) + "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_qual_bd BEFORE DELETE ON "
               "qualifications\n" + sq_when(None, guard) + "BEGIN\n" +
               ind(q_del) + "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_ip_ai AFTER INSERT ON ip_rights\n" +
               sq_when("NEW.kind = 'invention'", guard) + "BEGIN\n" +
               ind(p_ins) + "END;\n\n")
    out.append(f"CREATE TRIGGER plan_counts_ip_au AFTER UPDATE OF\n    "
               f"{P_COLS} ON ip_rights\n" +
               sq_when("NEW.kind = 'invention' OR OLD.kind = 'invention'",
                       guard) + "BEGIN\n" + ind(p_upd) + "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_ip_ad AFTER DELETE ON ip_rights\n" +
               sq_when("OLD.kind = 'invention'", guard) + "BEGIN\n" +
               ind(p_del) + "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_ent_bu BEFORE UPDATE OF unit_id, "
               "retired_at\n    ON enterprises\n" +
               sq_when("OLD.unit_id IS NOT NEW.unit_id OR OLD.retired_at IS "
                       "NOT NEW.retired_at", guard) + "BEGIN\n" +
               ind(e_upd) + ind(p_ent) + "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_con_ai AFTER INSERT ON contracts\n" +
               sq_when("NEW.status = 'registered'", guard) + "BEGIN\n" +
               ind(c_ins) + "END;\n\n")
    out.append(f"CREATE TRIGGER plan_counts_con_au AFTER UPDATE OF\n    "
               f"{C_COLS} ON contracts\n" +
               sq_when("NEW.status = 'registered' OR OLD.status = "
                       "'registered'", guard) + "BEGIN\n" + ind(c_upd) +
               "END;\n\n")
    out.append("CREATE TRIGGER plan_counts_con_ad AFTER DELETE ON contracts\n" +
               sq_when("OLD.status = 'registered'", guard) + "BEGIN\n" +
               ind(c_del) + "END;\n")
    return "".join(out)


def sqlite_text():
    return "".join([HEAD, TABLE, bf_q, bf_p, bf_c, "\n", sqlite_triggers()])


def fn(name, body):
    return (f"CREATE FUNCTION {name}() RETURNS trigger\nLANGUAGE plpgsql AS "
            f"$$\nBEGIN\n{body}END\n$$;\n\n")


def pg_when(cond, guard, lead="    "):
    """A PostgreSQL trigger's WHEN (cond and / or the bulk guard)."""
    if not guard:
        return f"{lead}WHEN ({cond})" if cond else ""
    if not cond:
        return f"{lead}WHEN ({guard})"
    return f"{lead}WHEN (({cond})\n          AND {guard})"


def pg_triggers(guard=None):
    """The CREATE TRIGGER statements of 026 (with guard: of 030)."""
    g = " " if not guard else "\n"
    q = ("CREATE TRIGGER plan_counts_qual_b BEFORE INSERT OR DELETE OR "
         f"UPDATE OF\n    {Q_COLS}\n    ON qualifications FOR EACH ROW "
         + (pg_when(None, guard, "") + "\n    " if guard else "") +
         "EXECUTE FUNCTION plan_counts_qual();\n")
    ip = ("CREATE TRIGGER plan_counts_ip_ai AFTER INSERT ON ip_rights "
          "FOR EACH ROW\n" +
          pg_when("NEW.kind = 'invention'", guard) + g + "EXECUTE "
          "FUNCTION plan_counts_ip();\n" +
          f"CREATE TRIGGER plan_counts_ip_au AFTER UPDATE OF\n    "
          f"{P_COLS}\n    ON ip_rights FOR EACH ROW\n" +
          pg_when("NEW.kind = 'invention' OR OLD.kind = 'invention'", guard)
          + "\n    EXECUTE FUNCTION plan_counts_ip();\n" +
          "CREATE TRIGGER plan_counts_ip_ad AFTER DELETE ON ip_rights "
          "FOR EACH ROW\n" +
          pg_when("OLD.kind = 'invention'", guard) + g + "EXECUTE "
          "FUNCTION plan_counts_ip();\n")
    ent_cond = ("OLD.unit_id IS DISTINCT FROM NEW.unit_id\n          OR "
                "OLD.retired_at IS DISTINCT FROM NEW.retired_at")
    ent = ("CREATE TRIGGER plan_counts_ent_bu BEFORE UPDATE OF unit_id, "
           "retired_at\n    ON enterprises FOR EACH ROW\n" +
           pg_when(ent_cond, guard) + "\n    EXECUTE "
           "FUNCTION plan_counts_ent();\n")
    con = ("CREATE TRIGGER plan_counts_con_ai AFTER INSERT ON contracts "
           "FOR EACH ROW\n" +
           pg_when("NEW.status = 'registered'", guard) + g + "EXECUTE "
           "FUNCTION plan_counts_con();\n" +
           f"CREATE TRIGGER plan_counts_con_au AFTER UPDATE OF\n    "
           f"{C_COLS}\n    ON contracts FOR EACH ROW\n" +
           pg_when("NEW.status = 'registered' OR OLD.status = 'registered'",
                   guard) + "\n    EXECUTE FUNCTION plan_counts_con();\n" +
           "CREATE TRIGGER plan_counts_con_ad AFTER DELETE ON contracts "
           "FOR EACH ROW\n" +
           pg_when("OLD.status = 'registered'", guard) + g + "EXECUTE "
           "FUNCTION plan_counts_con();\n")
    return q, ip, ent, con


def pg_text():
    q, ip, ent, con = pg_triggers()
    out = ["""-- 026_plan_counts.sql for PostgreSQL: the table, backfill and
-- statements of ../026_plan_counts.sql, the triggers as PL/pgSQL
-- functions. The qualification trigger is a BEFORE row trigger only (both
-- sides of the difference computed before the write: PostgreSQL runs
-- AFTER row triggers at the end of the statement, when a multi-row
-- statement's other rows are written too). Generated by
-- tools/gen_plan_counts.py.
""", TABLE, bf_q, bf_p, bf_c, "\n"]
    out.append(fn("plan_counts_qual",
                  "    IF TG_OP = 'INSERT' THEN\n" + ind(q_ins, 8) +
                  "        RETURN NEW;\n    ELSIF TG_OP = 'UPDATE' THEN\n" +
                  ind(q_upd_new, 8) + ind(q_upd_old, 8) +
                  "        RETURN NEW;\n    END IF;\n" + ind(q_del) +
                  "    RETURN OLD;\n"))
    out.append(q + "\n")
    out.append(fn("plan_counts_ip",
                  "    IF TG_OP = 'INSERT' THEN\n" + ind(p_ins, 8) +
                  "    ELSIF TG_OP = 'UPDATE' THEN\n" + ind(p_upd, 8) +
                  "    ELSE\n" + ind(p_del, 8) + "    END IF;\n"
                  "    RETURN NULL;\n"))
    # only invention patents have events (most IP rights are not)
    out.append(ip + "\n")
    out.append(fn("plan_counts_ent", ind(e_upd) + ind(p_ent) +
                  "    RETURN NEW;\n"))
    out.append(ent + "\n")
    out.append(fn("plan_counts_con",
                  "    IF TG_OP = 'INSERT' THEN\n" + ind(c_ins, 8) +
                  "    ELSIF TG_OP = 'UPDATE' THEN\n" + ind(c_upd, 8) +
                  "    ELSE\n" + ind(c_del, 8) + "    END IF;\n"
                  "    RETURN NULL;\n"))
    out.append(con)
    return "".join(out)


# PL/pgSQL caches a generic plan of each statement of a function at its
# first calls in a session; a database filled in one transaction (kechuang
# demo, migrate, a first import) makes it while qualifications, ip_rights
# and enterprises are empty and never analysed, and the planner picks
# sequential scans for the per-enterprise subqueries: every row written
# then reads the whole table (bulk writes quadratic). With enable_seqscan
# off for the functions' own statements, the generic plans take the indexes
# (qualifications_ent, ip_rights_class, the primary keys) whatever the
# statistics say, so a row costs the same at 10 rows or 1,000,000.
SEQ_OFF_FNS = ("plan_counts_qual", "plan_counts_ip", "plan_counts_ent")


def pg027_text():
    out = ["""-- 027_plan_counts_pg.sql (PostgreSQL) - the plan-count trigger
-- functions of 026 run their statements with enable_seqscan off: their
-- cached generic plans were made on empty tables (one long transaction,
-- no ANALYZE) and scanned qualifications / ip_rights for every row
-- written, so bulk writes were quadratic (docs/internals/plan_counts.md).
-- Generated by tools/gen_plan_counts.py.
"""]
    for f in SEQ_OFF_FNS:
        out.append(f"ALTER FUNCTION {f}() SET enable_seqscan = off;\n")
    return "".join(out)


SQLITE_027 = """-- 027_plan_counts_pg.sql - nothing to change on SQLite: the plan-count
-- triggers of 026 are planned per statement there, with the indexes. The
-- PostgreSQL version (pg/027_plan_counts_pg.sql) makes the PL/pgSQL
-- functions' generic plans use the indexes. Generated by
-- tools/gen_plan_counts.py.
"""


# 030: the bulk guard. A bulk writer switches the triggers off for its own
# transaction, then applies the count changes once (plan_counts_bulk.c):
# SQLite reads a row of plan_counts_off (written and deleted inside the
# writer's transaction; SQLite has one writer at a time), PostgreSQL a
# transaction-local setting (set_config(..., true)), which no other
# session sees and which ends with the transaction.
SQ_GUARD = "NOT EXISTS (SELECT 1 FROM plan_counts_off)"
PG_GUARD = ("current_setting('kechuang.plan_counts_off', true) "
            "IS DISTINCT FROM 'on'")
TOUCH_TABLE = """CREATE TABLE plan_counts_touch (
    enterprise_id INTEGER NOT NULL, -- a bulk write's (enterprise, kind)
    kind TEXT NOT NULL,             -- pairs, inside its transaction only
    PRIMARY KEY (enterprise_id, kind)
);
"""
HEAD030 = """-- 030_plan_counts_bulk.sql - the plan-count triggers of 026 can be
-- switched off by a bulk writer for its own transaction, which then
-- applies the count changes once (docs/internals/plan_counts.md, "Bulk
-- writes"): the events of the (enterprise, kind) pairs it lists in
-- plan_counts_touch are subtracted before its write and added after it,
-- or (kechuang migrate) plan_counts is rebuilt from the registers.
-- Generated by tools/gen_plan_counts.py.
"""
SQ_TRIGGERS = ("plan_counts_qual_bi", "plan_counts_qual_bu",
               "plan_counts_qual_bd", "plan_counts_ip_ai", "plan_counts_ip_au",
               "plan_counts_ip_ad", "plan_counts_ent_bu", "plan_counts_con_ai",
               "plan_counts_con_au", "plan_counts_con_ad")
PG_TRIGGERS = (("plan_counts_qual_b", "qualifications"),
               ("plan_counts_ip_ai", "ip_rights"),
               ("plan_counts_ip_au", "ip_rights"),
               ("plan_counts_ip_ad", "ip_rights"),
               ("plan_counts_ent_bu", "enterprises"),
               ("plan_counts_con_ai", "contracts"),
               ("plan_counts_con_au", "contracts"),
               ("plan_counts_con_ad", "contracts"))


def sqlite030_text():
    out = [HEAD030, "-- one row while a bulk writer's transaction has the "
           "triggers off\nCREATE TABLE plan_counts_off (id INTEGER PRIMARY "
           "KEY);\n", TOUCH_TABLE, "\n"]
    for t in SQ_TRIGGERS:
        out.append(f"DROP TRIGGER {t};\n")
    out.append("\n" + sqlite_triggers(SQ_GUARD))
    return "".join(out)


def pg030_text():
    out = [HEAD030, "-- PostgreSQL: the guard is the transaction-local "
           "setting\n-- kechuang.plan_counts_off ('on' while off).\n",
           TOUCH_TABLE, "\n"]
    for t, tab in PG_TRIGGERS:
        out.append(f"DROP TRIGGER {t} ON {tab};\n")
    out.append("\n" + "".join(pg_triggers(PG_GUARD)))
    return "".join(out)


def c_str(name, sql):
    lines = sql.rstrip("\n").split("\n")
    body = "\n".join('    "' + ln.replace("\\", "\\\\").replace('"', '\\"') +
                     ('\\n"' if i < len(lines) - 1 else '"')
                     for i, ln in enumerate(lines))
    return f"static const char {name}[] =\n{body};\n\n"


def header_text():
    return ("/* plan_counts_sql.h - statements of the plan-count bulk path\n"
            " * (plan_counts_bulk.c), generated by tools/gen_plan_counts.py "
            "from the\n * definitions of migrations 026 and 030; do not "
            "edit. */\n"
            "#ifndef KC_DB_PLAN_COUNTS_SQL_H\n#define KC_DB_PLAN_COUNTS_SQL_H"
            "\n\n/* clang-format off */\n" +
            "/* the events of the pairs in plan_counts_touch, subtracted */\n" +
            c_str("PLAN_COUNTS_TOUCHED_SUB", touched_q("-")) +
            "/* ... and added */\n" +
            c_str("PLAN_COUNTS_TOUCHED_ADD", touched_q("")) +
            "/* the whole table from the registers (as migration 026) */\n" +
            c_str("PLAN_COUNTS_REBUILD_QUAL", union_q(R_ALL, "", False)) +
            c_str("PLAN_COUNTS_REBUILD_IP", bf_p.rstrip(";\n")) +
            c_str("PLAN_COUNTS_REBUILD_CON", bf_c.rstrip(";\n")) +
            "/* clang-format on */\n#endif\n")


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "src/db/sql/026_plan_counts.sql"), "w") as f:
        f.write(sqlite_text())
    with open(os.path.join(root, "src/db/sql/pg/026_plan_counts.sql"),
              "w") as f:
        f.write(pg_text())
    with open(os.path.join(root, "src/db/sql/027_plan_counts_pg.sql"),
              "w") as f:
        f.write(SQLITE_027)
    with open(os.path.join(root, "src/db/sql/pg/027_plan_counts_pg.sql"),
              "w") as f:
        f.write(pg027_text())
    with open(os.path.join(root, "src/db/sql/030_plan_counts_bulk.sql"),
              "w") as f:
        f.write(sqlite030_text())
    with open(os.path.join(root, "src/db/sql/pg/030_plan_counts_bulk.sql"),
              "w") as f:
        f.write(pg030_text())
    with open(os.path.join(root, "src/db/plan_counts_sql.h"), "w") as f:
        f.write(header_text())
