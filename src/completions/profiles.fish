# Profile names for -p/--profile from the config file in use (a --config
# earlier on the line, else the default).
function __btcturk_bal_profiles
    set -l tokens (commandline -opc)
    set -l config
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --config
                if test $i -lt (count $tokens)
                    set config --config $tokens[(math $i + 1)]
                end
            case '--config=*'
                set config --config (string replace -- --config= '' $tokens[$i])
        end
    end
    btcturk-bal config profiles $config 2>/dev/null
end
