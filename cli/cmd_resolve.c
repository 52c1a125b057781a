/* cmd_resolve.c - the 'resolve' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_resolve(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'resolve' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
