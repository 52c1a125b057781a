#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void){ int s = socket(AF_UNIX, SOCK_STREAM, 0); printf("hello32 %d\n", s >= 0); return 0; }
