print("talkflow")
