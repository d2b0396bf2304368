#!/usr/bin/env bash
# Prints the URL of a MariaDB (or MySQL) server the tests may create
# databases on, as root without a password:
#   1. $SLUICE_TEST_MARIADB when set;
#   2. the local server on 127.0.0.1:3306 when it answers;
#   3. otherwise the local mariadbd, started in the background, once it
#      answers.
# Fails, saying how to get MariaDB, when none of these is possible.
set -euo pipefail

if [ -n "${SLUICE_TEST_MARIADB:-}" ]; then
	echo "$SLUICE_TEST_MARIADB"
	exit 0
fi

url="mysql://root@127.0.0.1:3306"
answers() { (exec 3<>"/dev/tcp/127.0.0.1/3306") 2>/dev/null; }

if answers; then
	echo "$url"
	exit 0
fi

if [ ! -x /usr/sbin/mariadbd ]; then
	echo "the MariaDB tests need a server on 127.0.0.1:3306, and /usr/sbin/mariadbd is not installed to start one." >&2
	echo "Install it (Debian/Ubuntu: apt-get install mariadb-server) or set SLUICE_TEST_MARIADB=mysql://USER@HOST:PORT." >&2
	exit 1
fi
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
for _ in $(seq 1 60); do
	if answers; then
		echo "$url"
		exit 0
	fi
	sleep 0.5
done
echo "mariadbd was started but does not answer on 127.0.0.1:3306 after 30 s; see its log (journalctl or /var/log/mysql)." >&2
exit 1
