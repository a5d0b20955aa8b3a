#!/bin/sh
# ui_ref_tables.sh - the web UI keeps no copy of a code table the server
# serves: no file under web/src pairs one of the served codes below with a
# Chinese name, neither as a list entry ({ code: 'neeq', name: '新三板挂牌' },
# { value: 'admin', label: '系统管理员' }, { action: 'publish', label: … })
# nor as an object key
# (user: '用户填报', met: { name: '达标', ... }, late: ['滞后', 'danger'])
# nor as template options (<el-option value="expert" label="专家" />).
# The names come from
# GET /reference/enterprise (listing statuses, sources, industry catalogue
# classes), /reference/rules
# (verdicts), /reference/qualifications (calendar anchors, record states),
# /reference/labels
# (roles, org unit kinds, service-log kinds, policy application statuses,
# plan task / progress report / reported value statuses, pipeline actions,
# plan indicator kinds, cultivation task statuses, ask statuses),
# /reference/carriers (carrier import kinds) and /reference/market-items
# (challenge application statuses, actions and applicant kinds; events:
# matchmaking event statuses, attendee kinds and deal kinds),
# /reference/contracts (the names of a contract's fields, record_fields);
# policy outcomes, pipeline stages and
# pipeline event actions come named with every record (outcome_name,
# stage_name, action_name), challenge applications with status_name,
# sandbox scenarios with last_run_status_name and their comparison rows
# with change_name, challenge applications with applicant_kind_name and
# a demand's matches with kind_name (the pool kinds).
# Colours and tags keyed by code stay in the UI. The checker is first run
# on made-up files so that a checker which cannot fail fails this test. TAP
# output; a failure names file, line and code.
SRC=${SRC:-web/src}
N=0
FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kc-uiref.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# The served tables, one a line: "name: codes". A file is flagged when it
# pairs two or more codes of one table with Chinese names (one code alone
# may be another table's code: pipeline stages are also "returned").
TABLES="listing: none candidate neeq listed
sources: user import demo system
verdicts: met unmet unknown expert manual conflict
anchors: valid_to expiry_year yearly
roles: admin staff leader agent dept
unit_kinds: district subdistrict town park community dept other
service_kinds: visit meeting call training briefing other
app_statuses: submitted street_ok bureau_ok notice paid closed rejected
outcomes: qualified nearly unknown pending not
stages: selected recommended returned admitted cultivating certified not_certified withdrawn
carrier_imports: carriers tenants platforms talent_counts listing
plan_task_statuses: on_track at_risk late done
plan_report_statuses: filed consolidated accepted returned
plan_actual_statuses: submitted accepted returned
pipeline_actions: select recommend approve return cultivate certify withdraw
challenge_app_statuses: applied selected not_selected
scenario_run_statuses: queued running done failed cancelled
scenario_changes: gain loss other
catalogue_classes: restricted eliminated prohibited
challenge_actions: publish apply select link_contract milestone_add milestone_done accept close withdraw
qual_match_by: uscc former_name
plan_indicator_kinds: stock flow ratio
qual_states: valid pending expired ended
applicant_kinds: expert university institute enterprise
pool_kinds: achievement demand institution resource
task_statuses: open done dropped
ask_statuses: open closed voided
event_statuses: planned held cancelled
event_attendee_kinds: enterprise institution
event_deal_kinds: contract intended
contract_fields: reg_no legacy_type seller_uscc seller_name seller_region seller_place buyer_uscc buyer_name buyer_region buyer_place tech_amount signed_on registered_on valid_from valid_to ip_kind on_date"

# Served names the UI used to write out in conditionals
# (row.status === 'confirmed' ? '已核实' : '未核实'): a line that compares
# a value with one of these codes and holds one of the table's names as a
# whole literal ('名', "名", `名`, >名<, 【名】, （名）) is flagged.
NAMED="verify_statuses: confirmed=已核实 unverified=未核实
task_statuses: open=进行中 done=已完成 dropped=已取消
ask_statuses: open=办理中 closed=已办结 voided=已作废
event_statuses: planned=筹备中 held=已举办 cancelled=已取消
event_attendee_kinds: enterprise=企业 institution=机构
event_deal_kinds: contract=已登记合同 intended=意向成交
pool_statuses: open=有效 closed=已结束
contract_src_kinds: user=手工登记 import=导入
policy_statuses: confirmed=已核实 unverified=待核实 retired=停用"
# Files left out of that check (none).
NAMED_SKIP="//none//"

check() {
    N=$((N + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $N - $2"
    else
        echo "not ok $N - $2"
        FAILED=$((FAILED + 1))
    fi
}

# scan DIR: prints "file:line: code (table)" for every code paired with a
# Chinese name in a file that pairs two or more codes of that table;
# status 1 if any.
scan() {
    find "$1" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.vue' \) |
        LC_ALL=C sort | while IFS= read -r f; do
            TABLES="$TABLES" perl -CSD -ne '
                BEGIN {
                    for my $t (split /\n/, $ENV{TABLES}) {
                        my ($name, $codes) = split /:\s*/, $t, 2;
                        $of{$_}{$name} = 1 for split " ", $codes;
                    }
                    my $alt = join "|", map { quotemeta } sort keys %of;
                    $list = qr/\b(?:code|value|action)\s*:\s*["\x27]($alt)["\x27]\s*,\s*(?:name|label)\s*:\s*["\x27][^"\x27]*\p{Han}/;
                    $attr = qr/\bvalue=["\x27]($alt)["\x27]\s+label=["\x27][^"\x27]*\p{Han}/;
                    $key = qr/(?:^|[{,])\s*["\x27]?($alt)["\x27]?\s*:\s*(?:\{\s*(?:name|label)\s*:\s*|\[\s*)?["\x27][^"\x27]*\p{Han}/;
                }
                for my $re ($list, $key, $attr) {
                    while (/$re/g) {
                        for my $t (keys %{$of{$1}}) {
                            $seen{$t}{$1} = 1;
                            push @{$hits{$t}}, "$ARGV:$.: $1 ($t)";
                        }
                    }
                }
                END {
                    for my $t (sort keys %hits) {
                        next if keys %{$seen{$t}} < 2;
                        print "$_\n" for @{$hits{$t}};
                    }
                }
            ' "$f"
        done >"$TMP/found.$$"
    cat "$TMP/found.$$"
    [ ! -s "$TMP/found.$$" ]
}

# scan_named DIR: prints "file:line: name (table)" for every line that
# compares with a code of a NAMED table and writes one of its names.
scan_named() {
    find "$1" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.vue' \) |
        LC_ALL=C sort | while IFS= read -r f; do
            NAMED="$NAMED" NAMED_SKIP="$NAMED_SKIP" perl -CSD -ne '
                BEGIN {
                    my $named = $ENV{NAMED};
                    utf8::decode($named);
                    for my $t (split /\n/, $named) {
                        my ($name, $pairs) = split /:\s*/, $t, 2;
                        my (@c, @n);
                        for (split " ", $pairs) {
                            my ($c, $n) = split /=/, $_, 2;
                            push @c, quotemeta $c;
                            push @n, quotemeta $n;
                        }
                        my $c = join "|", @c;
                        my $n = join "|", @n;
                        push @t, [$name,
                            qr/[!=]==?\s*["\x27]($c)["\x27]/,
                            qr/(?:["\x27`>\x{3010}\x{FF08}])($n)(?:["\x27`<\x{3011}\x{FF09}])/];
                    }
                }
                next if index($ARGV, $ENV{NAMED_SKIP}) >= 0;
                for my $t (@t) { # one report a line, whichever table
                    next unless /$t->[1]/;
                    if (/$t->[2]/) {
                        print "$ARGV:$.: $1 ($t->[0])\n";
                        last;
                    }
                }
            ' "$f"
        done >"$TMP/named.$$"
    cat "$TMP/named.$$"
    [ ! -s "$TMP/named.$$" ]
}

# --- the checker must be able to fail ----------------------------------------
mkdir -p "$TMP/bad" "$TMP/good"
cat >"$TMP/bad/a.js" <<'EOF'
export const LISTING = [
  { code: 'none', name: '未上市' },
  { code: 'listed', name: '已上市' },
]
export const SOURCES = { user: '手工录入', import: '导入' }
EOF
cat >"$TMP/bad/b.vue" <<'EOF'
<script setup>
const V = {
  met: { name: '达标', tag: 'success' },
  unmet: { name: '未达标', tag: 'danger' },
}
const KINDS = [{ value: 'subdistrict', label: '街道' }, { value: 'park', label: '园区' }]
const STATUS = {
  on_track: ['正常', 'success'],
  late: ['滞后', 'danger'],
}
</script>
<template>
  <el-option value="expert" label="专家" />
  <el-option value="university" label="高校" />
</template>
EOF
cat >"$TMP/good/c.js" <<'EOF'
const TAGS = { met: 'success', unmet: 'danger' }
const STYLE = { met: { tag: 'success', color: '#3f8f4f' } }
const SORTS = [{ value: 'closest', label: '最接近达标在前' }]
const form = { kind: 'subdistrict', title: '标题' }
const ONE = { filed: '已报送', x: '其他' }
const STATUS_TAGS = { on_track: 'success', late: 'danger' }
const T = `<el-option value="closest" label="最接近" /><el-option value="expert" label="专家" />`
EOF
cat >"$TMP/bad/d.vue" <<'EOF'
<template>
  <el-tag>{{ row.status === 'confirmed' ? '已核实' : '未核实' }}</el-tag>
  <el-tag v-if="r.status === 'unverified'" type="warning">未核实</el-tag>
  {{ row.kind === 'enterprise' ? '企业' : '机构' }}
</template>
EOF
cat >"$TMP/good/e.vue" <<'EOF'
<template>
  <el-tag v-if="r.status === 'unverified'" type="warning">{{ r.status_name }}</el-tag>
  <p>标为“未核实”的规则尚未见到官方原文</p>
  {{ row.verified ? '已核实' : '自报' }}
  <el-option value="closest" label="企业" />
</template>
EOF
n=$(scan_named "$TMP/bad" | wc -l)
[ "$n" -eq 3 ]
check $? "checker finds served names written out in conditionals"
scan_named "$TMP/good" >/dev/null
check $? "checker accepts served names, prose and other flags"
n=$(scan "$TMP/bad" | wc -l)
[ "$n" -eq 13 ]
check $? "checker finds code tables and code-to-name objects in made-up files"
scan "$TMP/good" >/dev/null
check $? "checker accepts colour tables, UI-only options and form defaults"

# --- the real sources --------------------------------------------------------
if [ ! -d "$SRC" ]; then
    check 1 "$SRC exists"
else
    scan "$SRC" >"$TMP/real"
    st=$?
    sed 's/^/# /' "$TMP/real" | head -40
    check $st "$SRC keeps no copy of a served code table"
    scan_named "$SRC" >"$TMP/real"
    st=$?
    sed 's/^/# /' "$TMP/real" | head -40
    check $st "$SRC writes out no served name in a conditional"
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
