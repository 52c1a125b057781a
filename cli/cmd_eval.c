/* cmd_eval.c - the 'eval' command (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_eval(struct cli *g, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'eval' is not implemented yet\n", g->prog);
	return EXIT_USAGE;
}
