# Profile names for -p/--profile from the config file in use (a --config
# earlier on the line, else the default); compadd quotes them.
_btcturk_bal_profiles() {
    local -a names config
    local word i=${words[(I)--config]}
    if (( i )); then
        word=${(Q)words[i+1]}
    else
        word=${words[(r)--config=*]}
        word=${(Q)word#--config=}
    fi
    [[ $word == \~/* ]] && word=$HOME/${word#\~/}
    [[ -n $word ]] && config=(--config "$word")
    names=(${(f)"$(btcturk-bal config profiles $config 2>/dev/null)"})
    compadd -a names
}
