#!/bin/sh
# Regenerates apache.htdigest with the real tool (Debian apache2-utils). htdigest has no batch mode: it
# reads the password twice from /dev/tty, or from stdin when there is no controlling terminal, which
# setsid gives it. Every user has password "<user>-pw" in every realm, except where noted.
# Apache's HA1 is unsalted (MD5 of user:realm:password), so every run gives the same file.
set -eu
cd "$(dirname "$0")"
f=apache.htdigest
rm -f "$f"
add() { # add [-c] REALM USER PASSWORD
  c=; [ "$1" = -c ] && { c=-c; shift; }
  printf '%s\n%s\n' "$3" "$3" | setsid -w htdigest $c "$f" "$1" "$2" >/dev/null 2>&1
}
add -c authgate alice alice-pw
add authgate bob bob-pw
add "Other Realm" alice alice-other-pw  # the same user in a second realm, another password
add authgate "jürgen" "pässwörd-€"      # UTF-8 user and password, bytes as typed
add "Réalm" "jürgen" "jürgen-pw"        # and a UTF-8 realm
add authgate "john doe" "a:b c"         # a space in the user, a colon in the password
add authgate bob bob-new-pw             # htdigest replaces bob's line in place
printf '# added by hand\n\n' >> "$f"
