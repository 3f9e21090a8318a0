module videogen

go 1.19
