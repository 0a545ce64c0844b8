# bash completion for vmodes(1)                         -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Subcommands, their options and, where a HEAD is expected, the head names
# of the X session (`vmodes list --json`), else the usual virtual heads.

_vmodes_heads()
{
        local names
        names=$(vmodes list --json 2>/dev/null |
                awk '/^ *"head":[0-9]+,$/ { want = 1; next }
                     want && match($0, /"name":"[^"]*"/) { print substr($0, RSTART + 8, RLENGTH - 9) }
                     { want = 0 }')
        [[ -n $names ]] || names="Virtual-1 Virtual-2 Virtual-3 Virtual-4"
        printf '%s\n' $names
}

_vmodes_options()
{
        # every long option that `vmodes CMD --help` names
        vmodes "$1" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*=?' | sort -u
}

_vmodes()
{
        local cur prev words cword
        _init_completion -s || return

        local commands="add remove list apply session config status cvt gtf dmt mode"
        local cmd="" i
        for ((i = 1; i < cword; i++)); do
                case ${words[i]} in
                -*) ;;
                *) cmd=${words[i]}; break ;;
                esac
        done

        if [[ -z $cmd ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
                fi
                return
        fi

        # option values ("--rb=2" arrives split: prev=--rb, cur=2)
        case $prev in
        --right-of | --left-of | --above | --below | --same-as)
                COMPREPLY=($(compgen -W "$(_vmodes_heads)" -- "$cur"))
                return ;;
        --file | --config | --root)
                _filedir
                return ;;
        --format)
                COMPREPLY=($(compgen -W "cvt xorg xrandr json" -- "$cur"))
                return ;;
        --scheme)
                COMPREPLY=($(compgen -W "kms ums legacy" -- "$cur"))
                return ;;
        --rb)
                COMPREPLY=($(compgen -W "1 2 3" -- "$cur"))
                return ;;
        --compat)
                if [[ $cmd == gtf ]]; then
                        COMPREPLY=($(compgen -W "xserver-gtf" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "xcvt-0.1.2" -- "$cur"))
                fi
                return ;;
        esac
        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$(_vmodes_options "$cmd")" -- "$cur"))
                [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
                return
        fi

        # positional arguments after the subcommand
        local n=0
        for ((i = i + 1; i < cword; i++)); do
                [[ ${words[i]} == -* ]] || n=$((n + 1))
        done
        case $cmd in
        add | remove)
                ((n == 0)) && COMPREPLY=($(compgen -W "$(_vmodes_heads)" -- "$cur")) ;;
        config)
                ((n == 0)) && COMPREPLY=($(compgen -W "show check xorg" -- "$cur"))
                ((n == 1)) && [[ ${words[cword - 1]} == check ]] && _filedir ;;
        esac
        return 0
} &&
        complete -F _vmodes vmodes

# ex: filetype=sh
