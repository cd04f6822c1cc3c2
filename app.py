"""Entry point of the app. Until the Gradio UI lands this starts the terminal chat."""

from bot.cli import main

if __name__ == "__main__":
    main(["chat"])
