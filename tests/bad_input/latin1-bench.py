def main():
    return "café"
