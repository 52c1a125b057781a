/* cmd_check.c - the 'check' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_check(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'check' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
