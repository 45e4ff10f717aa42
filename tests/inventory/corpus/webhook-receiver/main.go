package main

import "github.com/gin-gonic/gin"

func main() {
	r := gin.Default()
	r.POST("/webhooks/procore", handle)
	r.GET("/projects/:id/rfis", list)
	r.Run()
}
