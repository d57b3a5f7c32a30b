# bash completion for ccstat(8): subcommands, each one's options (as its
# --help lists them) and their values.  Installed as
# /usr/share/bash-completion/completions/ccstat.

_ccstat_cmd_opts()
{
	local common="-j --json --pretty -v --verbose -h --help -V --version --bpf-stats"
	local filter="-p --pid -c --cgroup --dev --op"

	case $1 in
	top) echo "$common $filter -s --sort -r --rate" ;;
	stat) echo "$common -T --timestamp $filter -r --rate --total --csv" ;;
	trace) echo "$common $filter" ;;
	run) echo "$common --dev --op -s --sort -a --all" ;;
	check) echo "$common -d --duration" ;;
	export) echo "$common $filter --listen --prom-file --top-inodes --sample --store-size --analyze --idle-timeout" ;;
	analyze) echo "$common --dev --sample --store-size" ;;
	*) echo "-j --json --pretty -v --verbose -h --help -V --version" ;;
	esac
}

_ccstat()
{
	local cur prev words cword
	_init_completion || return

	local commands="top stat trace run check export analyze help version"
	local cmd i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--)
			# run/analyze: the rest is a command line of its own
			if [[ $cmd == run || $cmd == analyze ]]; then
				_command_offset $((i + 1))
				return
			fi
			;;
		-*) ;;
		*)
			if [[ -z $cmd && " $commands " == *" ${words[i]} "* ]]; then
				cmd=${words[i]}
			fi
			;;
		esac
	done

	case $prev in
	-p | --pid)
		_pids
		return
		;;
	-c | --cgroup)
		_filedir -d
		return
		;;
	--prom-file)
		_filedir
		return
		;;
	-s | --sort)
		COMPREPLY=($(compgen -W 'puts refused gets hits misses hit% invals' -- "$cur"))
		return
		;;
	--op)
		local ops="put get inval_page inval_inode pool_create pool_destroy backend inval pool all"
		local prefix=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$prefix" -W "$ops" -- "${cur##*,}"))
		compopt -o nospace
		return
		;;
	--dev)
		# MAJ:MIN of the mounted filesystems
		COMPREPLY=($(compgen -W "$(awk '{print $3}' /proc/self/mountinfo 2>/dev/null | sort -u)" -- "$cur"))
		__ltrim_colon_completions "$cur"
		return
		;;
	--listen)
		COMPREPLY=($(compgen -W '127.0.0.1:9587 0.0.0.0:9587 [::]:9587 :9587' -- "$cur"))
		__ltrim_colon_completions "$cur"
		return
		;;
	--top-inodes | --sample | --store-size | --idle-timeout | -d | --duration)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ccstat_cmd_opts "$cmd")" -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	elif [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	elif [[ $cmd == run ]]; then
		_command_offset "$cword"
	fi
} &&
	complete -F _ccstat ccstat
