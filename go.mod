module github.com/gotensor/gotensor

go 1.26
