/* cmd_compile.c - the 'compile' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_compile(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'compile' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
