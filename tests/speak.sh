# speak.sh: sourced by demo.sh and bench.sh.  speak DIR SENTENCE... speaks
# each sentence with espeak-ng into DIR (cached by a hash of the text, so an
# edited sentence is spoken again) and sets the array `files` to the WAVs, in order.
speak() {
  local dir=$1 s f
  shift
  mkdir -p "$dir"
  files=()
  for s in "$@"; do
    f="$dir/$(printf '%s' "$s" | md5sum | cut -c1-12).wav"
    [ -s "$f" ] || espeak-ng -v en-us -s 150 -w "$f" "$s"
    files+=("$f")
  done
}
