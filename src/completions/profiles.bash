# Profile names for -p/--profile from the config file in use (a --config
# earlier on the line, else the default), offered as they must be typed.
_btcturk_bal_profiles() {
    local i word config=() name cur="${1//\\/}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --config)
                word="${COMP_WORDS[i + 1]}"
                [[ $word == = ]] && word="${COMP_WORDS[i + 2]}"
                ;;
            --config=*) word="${COMP_WORDS[i]#--config=}" ;;
            *) continue ;;
        esac
        word="${word#[\'\"]}"
        word="${word%[\'\"]}"
        [[ $word == "~/"* ]] && word="$HOME/${word#"~/"}"
        config=(--config "$word")
    done
    COMPREPLY=()
    while IFS= read -r name; do
        [[ $name == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
    done < <(btcturk-bal config profiles "${config[@]}" 2>/dev/null)
    compopt +o default 2>/dev/null
    return 0
}
_btcturk_bal_with_profiles() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD - 1]}"
    if [[ $prev == = ]]; then
        prev="${COMP_WORDS[COMP_CWORD - 2]}="
    fi
    case "$prev" in
        -p | --profile | --profile=) _btcturk_bal_profiles "$cur" ;;
        *) _btcturk__bal "$@" ;;
    esac
}
