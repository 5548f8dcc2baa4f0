// The demo's app: its dependency example.com/lib (and lib's example.com/dep) exists only in the
// module mirror the demo builds from tests/fixtures/gomod_upstream, so it builds only through it.
// Small on purpose (fmt, os, os/signal): an arm64 host compiles it under qemu-user.
//
//	demo-app          print the greeting and exit (what a build host runs)
//	demo-app serve    print it, then run until SIGTERM (the hardened service; journalctl shows it)
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"example.com/lib"
)

func main() {
	greeting := fmt.Sprintf("hello from %s/%s: %s", runtime.GOOS, runtime.GOARCH, lib.Hello())
	fmt.Println(greeting)
	if len(os.Args) == 2 && os.Args[1] == "serve" {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
		<-stop
		fmt.Println("stopping")
	}
}
