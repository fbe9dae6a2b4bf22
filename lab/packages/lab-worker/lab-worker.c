/* lab-worker: a long-running service of the patchwise lab linked against libfoo.so.1, so that
 * upgrading lab-libfoo leaves it mapping a deleted file until it is restarted. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

const char *foo_version(void);

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

int main(void) {
  signal(SIGTERM, on_term);
  fprintf(stderr, "lab-worker started with libfoo %s\n", foo_version());
  while (!stop) sleep(60);
  return 0;
}
