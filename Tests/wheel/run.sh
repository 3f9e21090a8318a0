#!/usr/bin/env bash
# run.sh [WHEELDIR]: the wheels that `make wheel` built (default .build/wheel), installed as a Python user would,
# with every CPython 3.11 or later this machine has. `make test-wheel` runs it after `make wheel`.
#
#   1. Pythons: the Debian ones (/usr/bin/python3.N) and pyenv's (its versions/*/bin/python3), or the list in
#      $WHEEL_PYTHONS; those older than 3.11 (the binding's requires-python) are left out. At least one newer
#      than 3.11 must be there (the wheel claims every Python 3: it is checked on more than one).
#   2. Per Python: a clean virtualenv outside the repository, `pip install --no-index` of the videogen wheel and
#      the videogen_emulator wheel; then, in a private mount namespace where the Swift toolchain's directory is an
#      empty tmpfs (Tests/dist/hide-toolchain.sh), Tests/wheel/job.py: the emulator's command, the main job through
#      the Python API and through the `videogen` command, byte-compared with the emulator's video, the library
#      found in the wheel, nothing mapped from the toolchain and no Swift runtime library mapped at all.
#   3. `pip install ./bindings/python` (the source tree, no library inside) fails with the one line that says to
#      run `make wheel`, and installs nothing.
# Prints "ok - name" / "FAIL - name: reason" per check and, last, "N passed, N failed"; exits 1 on any failure.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
wheeldir="$(cd "${1:-.build/wheel}" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/videogen-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT

. "$root/Tests/support/tap.sh"

shopt -s nullglob
wheels=("$wheeldir"/videogen-*-py3-none-manylinux_*_x86_64.whl)
emulators=("$wheeldir"/videogen_emulator-*-py3-none-any.whl)
if [ ${#wheels[@]} -ne 1 ] || [ ${#emulators[@]} -ne 1 ]; then
    fail "wheels" "want one videogen manylinux wheel and one videogen_emulator wheel in $wheeldir (run make wheel)"
    finish
fi
echo "# ${wheels[0]##*/} ($(du -k "${wheels[0]}" | cut -f1) KiB), ${emulators[0]##*/}"

# ---- 1. The Pythons. ----

candidates=()
if [ -n "${WHEEL_PYTHONS:-}" ]; then
    read -r -a candidates <<< "$WHEEL_PYTHONS"
else
    candidates=(/usr/bin/python3.[0-9]*)
    pyenv_root="${PYENV_ROOT:-$(pyenv root 2> /dev/null || echo "$HOME/.pyenv")}"
    candidates+=("$pyenv_root"/versions/*/bin/python3)
fi
pythons=()
versions=()
newer=0
for candidate in "${candidates[@]}"; do
    [[ "$candidate" == *-config ]] && continue
    version="$("$candidate" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2> /dev/null)" || continue
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2> /dev/null || continue
    case " ${versions[*]} " in *" $version "*) continue ;; esac   # the same version twice (a link): once
    pythons+=("$candidate")
    versions+=("$version")
    [ "${version%.*}" != 3.11 ] && newer=1
done
echo "# Pythons: ${versions[*]:-none}"
if [ ${#pythons[@]} -eq 0 ] || [ "$newer" -eq 0 ]; then
    fail "pythons" "want CPython 3.11 and a newer one; found: ${versions[*]:-none} (set WHEEL_PYTHONS to list them)"
    finish
fi

# ---- What to hide: the toolchain of the `swift` on PATH (found as Tests/dist/run.sh finds it). ----

. "$root/Tests/dist/toolchain.sh"

# ---- 2. Per Python: a clean virtualenv, the wheels, the job with the toolchain hidden. ----

for i in "${!pythons[@]}"; do
    python="${pythons[$i]}"
    version="${versions[$i]}"
    venv="$work/venv-$version"
    log="$work/$version.log"
    if ! "$python" -m venv "$venv" > "$log" 2>&1; then
        fail "python$version: venv" "$(tail -n 3 "$log")"
        continue
    fi
    if "$venv/bin/python" -m pip install -q --no-index --no-deps "${wheels[0]}" "${emulators[0]}" > "$log" 2>&1; then
        pass "python$version ($python): pip install the two wheels in a clean venv"
    else
        fail "python$version: pip install" "$(tail -n 5 "$log")"
        continue
    fi
    mkdir -p "$work/job-$version"
    hidden -t 300 env -u VIDEOGEN_LIBRARY -u PYTHONPATH -C "$work/job-$version" \
        "$venv/bin/python" "$here/job.py" "$work/job-$version" "${hide[@]}" > "$log" 2>&1
    status=$?
    sed 's/^/    /' "$log"
    if [ "$status" -eq 0 ]; then
        pass "python$version: the job with the toolchain hidden"
    else
        fail "python$version: the job with the toolchain hidden" "exit status $status (output above)"
    fi
done

# ---- 3. The source tree alone cannot be installed: one line says what to run. ----

venv="$work/venv-source"
"${pythons[0]}" -m venv "$venv" > /dev/null 2>&1
"$venv/bin/python" -m pip install --no-deps "$root/bindings/python" > "$work/source.log" 2>&1
status=$?
expected="videogen: no native library in this source tree; at the repository's root run \`make wheel\`"
if [ "$status" -ne 0 ] && grep -qF "$expected" "$work/source.log" \
        && ! "$venv/bin/python" -c "import videogen" 2> /dev/null; then
    pass "pip install ./bindings/python refuses in one line and installs nothing"
else
    fail "pip install ./bindings/python" "exit $status; $(grep -v '^ *$' "$work/source.log" | tail -n 5)"
fi

finish
