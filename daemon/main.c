/* insoled: wiring only.  Modes are dispatched here; the daemon itself is
 * assembled in daemon/pipeline.c. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "insoled: not assembled yet\n");
	return EXIT_FAILURE;
}
