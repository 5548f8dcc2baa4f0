module example.com/demo-app

go 1.22

require example.com/lib v1.1.0

require example.com/dep v1.0.0 // indirect
