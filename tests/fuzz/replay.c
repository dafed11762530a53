/* Replays files through a fuzz target's LLVMFuzzerTestOneInput without
 * libFuzzer, so the seed corpus and every input that once crashed a target
 * run in make check on any compiler.  Arguments: files or directories (each
 * regular file in a directory, in name order).  A target reports a broken
 * promise by trapping, so reaching the end means every input passed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;
	int rc = -1;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		LLVMFuzzerTestOneInput(buf, (size_t)size);
		rc = 0;
	} else {
		fprintf(stderr, "%s: cannot read\n", path);
	}
	free(buf);
	fclose(f);
	return rc;
}

static int replay_dir(const char *dir, unsigned *n)
{
	struct dirent **names;
	int count = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (count < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			rc |= replay_file(path);
			(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	int rc = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc |= replay_dir(argv[i], &n);
		} else {
			rc |= replay_file(argv[i]);
			n++;
		}
	}
	printf("%s: %u inputs replayed%s\n", argv[0], n, rc ? ", some unreadable" : "");
	return rc ? 1 : 0;
}
