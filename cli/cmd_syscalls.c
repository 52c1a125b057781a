/* cmd_syscalls.c - the 'syscalls' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_syscalls(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'syscalls' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
