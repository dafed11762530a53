/* `dump_driver --dump DEVICE ...` runs ins_dump_main() exactly as
 * `insoled --dump` does, so the acquisition integration tests exercise the
 * dump path on their own, independently of the daemon's wiring. */
#include "insoled/acquire.h"

int main(int argc, char **argv)
{
	return ins_dump_main(argc, argv);
}
