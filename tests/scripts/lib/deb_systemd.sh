#!/bin/sh
# deb_systemd.sh DEB - run by deb.sh as a oneshot unit inside a container
# booted with systemd (systemd-nspawn --boot, private network, an overlay
# of /): installs the package so that postinst enables and starts the
# service, checks it under systemd with the unit's hardening, reloads,
# stops and purges it. Writes "ok - ..." / "not ok - ..." lines and
# "# ..." notes to /root/result, then powers the container off.
deb=$1
exec >/root/result.tmp 2>&1

t() {
    if [ "$1" -eq 0 ]; then
        echo "ok - $2"
    else
        echo "not ok - $2"
    fi
}

note() {
    sed 's/^/# /' "$1" | tail -n 20
}

dpkg -i "$deb" >/root/install.out 2>&1
t $? "dpkg -i under systemd"
i=0
while [ $i -lt 50 ] &&
    ! curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/api/v1/healthz; do
    sleep 0.2
    i=$((i + 1))
done
systemctl is-active --quiet kechuang && systemctl is-enabled --quiet kechuang &&
    curl -s --max-time 5 http://127.0.0.1:8080/api/v1/healthz | grep -q '"ok"'
st=$?
t $st "postinst enables and starts the service; it serves on 127.0.0.1:8080"
if [ $st -ne 0 ]; then
    note /root/install.out
    systemctl status kechuang --no-pager >/root/status.out 2>&1
    note /root/status.out
fi

pid=$(systemctl show -p MainPID --value kechuang)
[ "$(ps -o user= -p "$pid" 2>/dev/null)" = kechuang ]
t $? "the service runs as the kechuang user"

pass=$(sed -n 's/.*初始密码：\([^ ]*\).*/\1/p' \
    /var/lib/kechuang/initial-admin-password)
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$pass\"}" \
    http://127.0.0.1:8080/api/v1/session)
[ "$code" = 200 ]
t $? "admin logs in with the password from the root-only file"

systemctl reload kechuang && sleep 0.5 && systemctl is-active --quiet kechuang &&
    [ "$(systemctl show -p MainPID --value kechuang)" = "$pid" ]
t $? "systemctl reload keeps the same process running"

systemctl stop kechuang
! systemctl is-active --quiet kechuang &&
    grep -q 'POST /api/v1/session' /var/log/kechuang/access.log
t $? "systemctl stop; the access log was written under ProtectSystem=strict"

dpkg -P kechuang >/root/purge.out 2>&1 && ! id kechuang >/dev/null 2>&1 &&
    [ ! -e /etc/systemd/system/multi-user.target.wants/kechuang.service ]
t $? "dpkg -P removes the user and the unit's enablement"
echo "# end"
mv /root/result.tmp /root/result
systemctl poweroff
